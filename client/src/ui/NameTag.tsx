import { useTranslation } from 'react-i18next';
import { MicIcon } from './icons';

/** The name shown at the bottom of a tile, with a muted-microphone mark. */
export function NameTag({ name, micMuted }: { name: string; micMuted: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="name-tag">
      {micMuted && (
        <span className="muted-mark" data-testid="mic-muted" role="img" aria-label={t('tile.micMuted')} title={t('tile.micMuted')}>
          <MicIcon off />
        </span>
      )}
      <span data-testid="participant-name">{name}</span>
    </div>
  );
}
