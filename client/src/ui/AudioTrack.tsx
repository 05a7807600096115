import { useEffect, useRef } from 'react';
import { useAudioOutput } from './useAudioOutput';

interface Props {
  track: MediaStreamTrack;
  /** Called when the browser refuses to play sound before a user gesture. */
  onBlocked: () => void;
}

/** Plays one remote audio track. */
export function AudioTrack({ track, onBlocked }: Props) {
  const ref = useRef<HTMLAudioElement>(null);
  const blocked = useRef(onBlocked);
  blocked.current = onBlocked;
  useAudioOutput(ref); // the chosen speaker
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    audio.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') blocked.current();
    });
    return () => {
      audio.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
