import { useTranslation } from 'react-i18next';
import { REACTION_IMAGES } from './reactionImages';
import { useReactionsOf } from './reactionsContext';
import './reactions.css';

/** Reactions over a tile, each for a few seconds (REACTION_LIMITS.displayMs), rising unless motion is reduced. */
export function ReactionOverlay({ peerId }: { peerId: string }) {
  const { t } = useTranslation('reactions');
  const reactions = useReactionsOf(peerId);
  if (reactions.length === 0) return null;
  return (
    <div className="reaction-overlay" aria-hidden="true">
      {reactions.slice(-4).map((r, i) => {
        const image = REACTION_IMAGES[r.emoji];
        return <img key={r.id} className="reaction" style={{ left: `${10 + i * 18}%` }} src={image.url} alt={t(`names.${image.name}`)} data-testid="reaction" data-emoji={r.emoji} />;
      })}
    </div>
  );
}
