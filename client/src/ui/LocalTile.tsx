import { useTranslation } from 'react-i18next';
import { Avatar } from './Avatar';
import { NameTag } from './NameTag';
import { QualityIndicator } from './QualityIndicator';
import { ReactionOverlay } from './ReactionOverlay';
import { VideoTrack } from './VideoTrack';

interface Props {
  peerId: string;
  name: string;
  track: MediaStreamTrack | null;
  micOn: boolean;
}

/** The user's own tile: mirrored local camera, never any sound. */
export function LocalTile({ peerId, name, track, micOn }: Props) {
  const { t } = useTranslation();
  return (
    <div className="tile local" data-testid="local-tile" data-self-id={peerId} role="group" aria-label={t('tile.you', { name })}>
      <VideoTrack track={track} testId="local-video" mirrored hidden={!track} />
      {!track && <Avatar name={name} />}
      <NameTag name={t('tile.you', { name })} micMuted={!micOn} />
      <ReactionOverlay peerId={peerId} />
      <QualityIndicator peerId={null} />
    </div>
  );
}
