import { useEffect, useState, useSyncExternalStore } from 'react';
import { devicePreferences } from '../media/DevicePreferences';
import { BackgroundCamera } from '../media/effects/BackgroundCamera';
import { acquireTracks, type MediaErrorCode } from '../media/userMedia';

interface Preview {
  /** What the others will see: the camera with the chosen background. */
  track: MediaStreamTrack | null;
  /** The camera's own track (its device is the one selected). */
  cameraTrack: MediaStreamTrack | null;
  error: MediaErrorCode | null;
}

const NONE: Preview = { track: null, cameraTrack: null, error: null };

/** A track of the chosen camera while `enabled`, stopped when disabled, changed or unmounted. */
export function useCameraPreview(enabled: boolean): Preview {
  const deviceId = useSyncExternalStore(devicePreferences.subscribe, () => devicePreferences.get('videoinput'));
  const [preview, setPreview] = useState<Preview>(NONE);
  useEffect(() => {
    if (!enabled) {
      setPreview(NONE);
      return;
    }
    let active = true;
    let acquired: MediaStreamTrack | null = null;
    const background = new BackgroundCamera();
    background.on('output', (track) => setPreview((p) => ({ ...p, track })));
    void acquireTracks({ audio: false, video: true }, { videoinput: deviceId }).then(({ video, error }) => {
      if (!active) return video?.stop();
      acquired = video;
      setPreview({ track: background.setInput(video), cameraTrack: video, error });
    });
    return () => {
      active = false;
      background.close();
      acquired?.stop();
    };
  }, [enabled, deviceId]);
  return preview;
}
