import { useEffect, useRef } from 'react';

interface Props {
  track: MediaStreamTrack | null;
  testId?: string;
  mirrored?: boolean;
  hidden?: boolean;
}

/** A muted `<video>` showing one track (muted so that autoplay is always allowed). */
export function VideoTrack({ track, testId, mirrored, hidden }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.muted = true;
    video.setAttribute('muted', '');
    video.srcObject = track ? new MediaStream([track]) : null;
    if (track) video.play().catch(() => undefined);
  }, [track]);
  return (
    <video
      ref={ref}
      data-testid={testId}
      className={mirrored ? 'mirrored' : undefined}
      hidden={hidden}
      muted
      autoPlay
      playsInline
    />
  );
}
