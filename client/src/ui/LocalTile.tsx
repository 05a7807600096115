import { Avatar } from './Avatar';
import { NameTag } from './NameTag';
import { VideoTrack } from './VideoTrack';

interface Props {
  peerId: string;
  name: string;
  track: MediaStreamTrack | null;
  micOn: boolean;
}

/** The user's own tile: mirrored local camera, never any sound. */
export function LocalTile({ peerId, name, track, micOn }: Props) {
  return (
    <div className="tile local" data-testid="local-tile" data-self-id={peerId}>
      <VideoTrack track={track} testId="local-video" mirrored hidden={!track} />
      {!track && <Avatar name={name} />}
      <NameTag name={`${name} (you)`} micMuted={!micOn} />
    </div>
  );
}
