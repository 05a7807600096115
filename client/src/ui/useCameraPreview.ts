import { useEffect, useState, useSyncExternalStore } from 'react';
import { devicePreferences } from '../media/DevicePreferences';
import { acquireTracks, type MediaErrorCode } from '../media/userMedia';

interface Preview {
  track: MediaStreamTrack | null;
  error: MediaErrorCode | null;
}

/** A track of the chosen camera while `enabled`, stopped when disabled, changed or unmounted. */
export function useCameraPreview(enabled: boolean): Preview {
  const deviceId = useSyncExternalStore(devicePreferences.subscribe, () => devicePreferences.get('videoinput'));
  const [preview, setPreview] = useState<Preview>({ track: null, error: null });
  useEffect(() => {
    if (!enabled) {
      setPreview({ track: null, error: null });
      return;
    }
    let active = true;
    let acquired: MediaStreamTrack | null = null;
    void acquireTracks({ audio: false, video: true }, { videoinput: deviceId }).then(({ video, error }) => {
      if (!active) return video?.stop();
      acquired = video;
      setPreview({ track: video, error });
    });
    return () => {
      active = false;
      acquired?.stop();
    };
  }, [enabled, deviceId]);
  return preview;
}
