import { useEffect, useState } from 'react';
import { acquireTracks, type MediaErrorCode } from '../media/userMedia';

interface Preview {
  track: MediaStreamTrack | null;
  error: MediaErrorCode | null;
}

/** A camera track while `enabled`, stopped when disabled or unmounted. */
export function useCameraPreview(enabled: boolean): Preview {
  const [preview, setPreview] = useState<Preview>({ track: null, error: null });
  useEffect(() => {
    if (!enabled) {
      setPreview({ track: null, error: null });
      return;
    }
    let active = true;
    let acquired: MediaStreamTrack | null = null;
    void acquireTracks({ audio: false, video: true }).then(({ video, error }) => {
      if (!active) return video?.stop();
      acquired = video;
      setPreview({ track: video, error });
    });
    return () => {
      active = false;
      acquired?.stop();
    };
  }, [enabled]);
  return preview;
}
