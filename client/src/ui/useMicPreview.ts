import { useEffect, useState, useSyncExternalStore } from 'react';
import { devicePreferences } from '../media/DevicePreferences';
import { acquireTracks } from '../media/userMedia';

/** Before joining: a track of the chosen microphone (for its level meter), stopped on unmount. */
export function useMicPreview(): MediaStreamTrack | null {
  const deviceId = useSyncExternalStore(devicePreferences.subscribe, () => devicePreferences.get('audioinput'));
  const [track, setTrack] = useState<MediaStreamTrack | null>(null);
  useEffect(() => {
    let active = true;
    let acquired: MediaStreamTrack | null = null;
    void acquireTracks({ audio: true, video: false }, { audioinput: deviceId }).then(({ audio }) => {
      if (!active) return audio?.stop();
      acquired = audio;
      setTrack(audio);
    });
    return () => {
      active = false;
      acquired?.stop();
      setTrack(null);
    };
  }, [deviceId]);
  return track;
}
