import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REACTION_EMOJIS, type ReactionEmoji } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import { SmileyIcon } from './icons';
import { REACTION_IMAGES } from './reactionImages';
import './reactions.css';

const HINT_MS = 2500;

/**
 * The reactions button of the control bar and its row of six: Escape or a second press closes it.
 * Past the server's limit (RCT-2) a short hint says to slow down.
 */
export function ReactionPicker({ onReact }: { onReact: (emoji: ReactionEmoji) => Promise<void> }) {
  const { t } = useTranslation('reactions');
  const [open, setOpen] = useState(false);
  const [slowDown, setSlowDown] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!slowDown) return;
    const timer = setTimeout(() => setSlowDown(false), HINT_MS);
    return () => clearTimeout(timer);
  }, [slowDown]);

  const react = (emoji: ReactionEmoji): void => {
    onReact(emoji).catch((error: unknown) => {
      if (ClientError.from(error).code === 'RATE_LIMITED') setSlowDown(true);
    });
  };

  return (
    <div
      className="reaction-picker"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          root.current?.querySelector<HTMLButtonElement>('[data-testid="reactions-button"]')?.focus();
        }
      }}
    >
      <button
        type="button"
        className={open ? 'control on' : 'control'}
        data-testid="reactions-button"
        aria-expanded={open}
        aria-controls="reaction-options"
        onClick={() => setOpen(!open)}
      >
        <SmileyIcon />
        <span>{t('button')}</span>
      </button>
      {open && (
        <div className="reaction-options" id="reaction-options" role="group" aria-label={t('options')}>
          {REACTION_EMOJIS.map((emoji) => {
            const image = REACTION_IMAGES[emoji];
            return (
              <button key={emoji} type="button" className="reaction-option" data-testid="reaction-option" data-emoji={emoji} aria-label={t(`send.${image.name}`)} onClick={() => react(emoji)}>
                <img src={image.url} alt="" width={28} height={28} />
              </button>
            );
          })}
          {slowDown && (
            <p className="reaction-hint" role="status">
              {t('slowDown')}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
