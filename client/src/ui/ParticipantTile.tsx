import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { RemotePeerView } from '../media/RoomClientTypes';
import type { TileViewport } from '../media/VideoSubscriptions';
import { AudioTrack } from './AudioTrack';
import { Avatar } from './Avatar';
import { NameTag } from './NameTag';
import { QualityIndicator } from './QualityIndicator';
import { ReactionOverlay } from './ReactionOverlay';
import { useTileViewport } from './useTileViewport';
import { VideoTrack } from './VideoTrack';

interface Props {
  peer: RemotePeerView;
  onAudioBlocked: () => void;
  /** Visibility and size of the tile, to receive only the video shown, at the right layer. */
  onViewport?: (viewport: TileViewport) => void;
  /** Audible right now (speaking indicator). */
  speaking?: boolean;
}

/** A remote participant: video (or initials when the camera is off), sound, name; whether it is reconnecting. */
export function ParticipantTile({ peer, onAudioBlocked, onViewport, speaking = false }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useTileViewport(ref, onViewport);
  return (
    <div
      ref={ref}
      className={speaking ? 'tile speaking' : 'tile'}
      data-testid="participant-tile"
      data-peer-id={peer.id}
      data-speaking={speaking}
      data-reconnecting={peer.reconnecting}
      role="group"
      aria-label={peer.displayName}
    >
      <VideoTrack track={peer.videoTrack} hidden={peer.videoOff} />
      {peer.videoOff && <Avatar name={peer.displayName} />}
      {peer.audioTracks.map((track) => (
        <AudioTrack key={track.id} track={track} onBlocked={onAudioBlocked} />
      ))}
      <NameTag name={peer.displayName} micMuted={peer.micMuted} />
      <ReactionOverlay peerId={peer.id} />
      <QualityIndicator peerId={peer.id} name={peer.displayName} />
      {peer.reconnecting && (
        <span className="tile-status" data-testid="peer-reconnecting">
          {t('tile.reconnecting')}
        </span>
      )}
    </div>
  );
}
