import { useState } from 'react';
import type { ErrorPayload, MeetingInvite } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ClientError } from '../media/ClientError';
import { fetchMeetingInvite } from '../media/invites';
import { describeError } from './errorMessages';
import { LinkIcon } from './icons';

type Status = 'idle' | 'working' | 'copied' | 'byHand';

/**
 * INV-7: copies the room's invitation link (the same one while it is valid) to the clipboard and
 * says so in a live region; the link also shows in a read-only field, to copy by hand where the
 * clipboard is refused. `[data-testid="copy-invite"]`.
 */
export function CopyInviteButton({ roomId, token }: { roomId: string; token: string }) {
  const { t, i18n } = useTranslation('sharing');
  const [invite, setInvite] = useState<MeetingInvite | null>(null);
  const [status, setStatus] = useState<Status>('idle');
  const [error, setError] = useState<ErrorPayload | null>(null);

  const copy = async (): Promise<void> => {
    setStatus('working');
    setError(null);
    let current: MeetingInvite;
    try {
      current = await fetchMeetingInvite(roomId, token);
    } catch (caught) {
      setError(ClientError.from(caught, 'UNAVAILABLE').toPayload());
      setStatus('idle');
      return;
    }
    setInvite(current);
    try {
      await navigator.clipboard.writeText(current.url);
      setStatus('copied');
    } catch {
      setStatus('byHand');
    }
  };

  const until = invite ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(invite.expiresAt)) : '';
  return (
    <div className="copy-invite">
      <button
        type="button"
        className="control small"
        data-testid="copy-invite"
        aria-label={t('invite.copy')}
        title={t('invite.copy')}
        disabled={status === 'working'}
        onClick={() => void copy()}
      >
        <LinkIcon size={18} />
        <span aria-hidden="true">{t('invite.copyShort')}</span>
      </button>
      <span className="sr-only" role="status" aria-live="polite" data-testid="copy-invite-status">
        {status === 'copied' ? t('invite.copied') : status === 'byHand' ? t('invite.copyByHand') : ''}
      </span>
      {invite && (
        <div className="invite-url">
          {status === 'byHand' && <p aria-hidden="true">{t('invite.copyByHand')}</p>}
          <input
            type="text"
            readOnly
            data-testid="invite-url"
            aria-label={t('invite.urlLabel')}
            value={invite.url}
            onFocus={(event) => event.currentTarget.select()}
          />
          <small>{t('invite.validUntil', { date: until })}</small>
        </div>
      )}
      {error && (
        <p className="notice error" role="alert" data-testid="copy-invite-error" data-code={error.code}>
          {error.code === 'FORBIDDEN' ? t('invite.forbidden') : describeError(t, error)}
        </p>
      )}
    </div>
  );
}
