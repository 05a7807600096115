import type { ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from './ErrorNotice';

/** After the meeting: why it ended, and a way back in. */
export function EndScreen({ reason, onRejoin }: { reason: ErrorPayload | null; onRejoin: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="center">
      <div className="card" data-testid="ended">
        <h1>{reason ? t('ended.titleEnded') : t('ended.titleLeft')}</h1>
        {reason && <ErrorNotice error={reason} />}
        <div className="actions">
          <button type="button" className="primary" data-testid="rejoin" onClick={onRejoin}>
            {t('ended.rejoin')}
          </button>
          <a href="/">{t('ended.home')}</a>
        </div>
      </div>
    </main>
  );
}
