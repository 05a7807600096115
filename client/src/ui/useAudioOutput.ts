import { useEffect, useSyncExternalStore, type RefObject } from 'react';
import { devicePreferences } from '../media/DevicePreferences';

/** Routes an audio element to the chosen speaker (setSinkId; the default output where it is missing). */
export function useAudioOutput(ref: RefObject<HTMLAudioElement | null>): void {
  const sinkId = useSyncExternalStore(devicePreferences.subscribe, () => devicePreferences.get('audiooutput'));
  useEffect(() => {
    const audio = ref.current;
    if (!audio || !('setSinkId' in audio)) return;
    audio.setSinkId(sinkId ?? '').catch((error: unknown) => console.warn('could not use the chosen speaker', error));
  }, [ref, sinkId]);
}
