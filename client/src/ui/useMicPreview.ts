import { useEffect, useState, useSyncExternalStore } from 'react';
import { devicePreferences } from '../media/DevicePreferences';
import { acquireTracks, type MediaErrorCode } from '../media/userMedia';

interface MicPreview {
  track: MediaStreamTrack | null;
  error: MediaErrorCode | null;
}

/** Before joining: a track of the chosen microphone (for its level meter), stopped on unmount. */
export function useMicPreview(): MicPreview {
  const deviceId = useSyncExternalStore(devicePreferences.subscribe, () => devicePreferences.get('audioinput'));
  const [preview, setPreview] = useState<MicPreview>({ track: null, error: null });
  useEffect(() => {
    let active = true;
    let acquired: MediaStreamTrack | null = null;
    void acquireTracks({ audio: true, video: false }, { audioinput: deviceId }).then(({ audio, error }) => {
      if (!active) return audio?.stop();
      acquired = audio;
      setPreview({ track: audio, error });
    });
    return () => {
      active = false;
      acquired?.stop();
      setPreview({ track: null, error: null });
    };
  }, [deviceId]);
  return preview;
}
