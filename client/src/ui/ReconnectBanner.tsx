import { useTranslation } from 'react-i18next';

/**
 * While the meeting is being recovered (SIG-16): a polite "Reconnecting…" (the meeting stays on
 * screen, nothing to click); once the client has given up (RESUME_LIMITS.giveUpAfterMs), a clear
 * message and a button to try again.
 */
export function ReconnectBanner({ stalled, onRetry }: { stalled: boolean; onRetry: () => void }) {
  const { t } = useTranslation();
  if (stalled) {
    return (
      <div className="notice error reconnect" role="alert" data-testid="reconnect-failed">
        <strong>{t('reconnect.lost')}</strong> {t('reconnect.check')}{' '}
        <button type="button" className="primary" data-testid="reconnect-retry" onClick={onRetry}>
          {t('reconnect.retry')}
        </button>
      </div>
    );
  }
  return (
    <div className="notice reconnect" role="status" aria-live="polite" data-testid="reconnecting">
      {t('reconnect.reconnecting')}
    </div>
  );
}
