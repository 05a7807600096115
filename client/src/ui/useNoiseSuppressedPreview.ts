import { useEffect, useState, useSyncExternalStore } from 'react';
import { NoiseSuppressor } from '../media/effects/NoiseSuppressor';
import { noiseSuppression } from '../media/effects/NoiseSuppressionPreference';

/**
 * Before joining: the microphone preview as it will be sent (noise-suppressed while that is on),
 * for the level meter. The suppressor is closed on unmount; the track itself is the caller's.
 */
export function useNoiseSuppressedPreview(track: MediaStreamTrack | null): MediaStreamTrack | null {
  const active = useSyncExternalStore(noiseSuppression.subscribe, () => noiseSuppression.getSnapshot().active);
  const [output, setOutput] = useState<MediaStreamTrack | null>(track);
  useEffect(() => {
    setOutput(track);
    if (!track || !active) return;
    let live = true;
    const suppressor = new NoiseSuppressor(true);
    suppressor.on('output', setOutput);
    void suppressor.setInput(track).then((processed) => live && setOutput(processed));
    return () => {
      live = false;
      suppressor.close();
    };
  }, [track, active]);
  return output;
}
