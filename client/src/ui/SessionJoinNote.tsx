import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * On a signed-in agent's pre-join: the name the session gives (not asked), and the room's link to
 * share, visible and copyable (OWN-1: a new meeting opens here). The copy's result is announced.
 */
export function SessionJoinNote({ name, roomId }: { name: string; roomId: string }) {
  const { t } = useTranslation('auth');
  const [copied, setCopied] = useState<'copied' | 'byHand' | null>(null);
  const link = `${window.location.origin}/room/${encodeURIComponent(roomId)}`;
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('copied');
    } catch {
      setCopied('byHand');
    }
  };
  return (
    <div className="session-join">
      <p data-testid="session-name">{t('join.as', { name })}</p>
      <label className="field">
        <span>{t('join.link')}</span>
        <input type="text" readOnly data-testid="room-link" value={link} onFocus={(event) => event.currentTarget.select()} />
      </label>
      <button type="button" className="secondary" data-testid="copy-room-link" onClick={() => void copy()}>
        {t('join.copy')}
      </button>
      <span className="sr-only" role="status" data-testid="copy-room-link-status">
        {copied === 'copied' ? t('join.copied') : copied === 'byHand' ? t('join.copyByHand') : ''}
      </span>
    </div>
  );
}
