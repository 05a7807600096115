import type { RemotePeerView } from '../media/RoomClientTypes';
import { AudioTrack } from './AudioTrack';
import { Avatar } from './Avatar';
import { NameTag } from './NameTag';
import { VideoTrack } from './VideoTrack';

interface Props {
  peer: RemotePeerView;
  onAudioBlocked: () => void;
}

/** A remote participant: video (or initials when the camera is off), sound, name. */
export function ParticipantTile({ peer, onAudioBlocked }: Props) {
  return (
    <div className="tile" data-testid="participant-tile" data-peer-id={peer.id}>
      <VideoTrack track={peer.videoTrack} hidden={peer.videoOff} />
      {peer.videoOff && <Avatar name={peer.displayName} />}
      {peer.audioTracks.map((track) => (
        <AudioTrack key={track.id} track={track} onBlocked={onAudioBlocked} />
      ))}
      <NameTag name={peer.displayName} micMuted={peer.micMuted} />
    </div>
  );
}
