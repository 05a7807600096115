import type { LobbyEntry } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { ModerationClient } from '../media/ModerationClient';

/** For hosts: the people waiting in the lobby, to admit or refuse (LOBBY-2, LOBBY-3). */
export function LobbyList({ entries, moderation }: { entries: readonly LobbyEntry[]; moderation: ModerationClient }) {
  const { t } = useTranslation();
  if (entries.length === 0) return null;
  return (
    <section data-testid="lobby-list" aria-label={t('lobby.listLabel')}>
      <h3>{t('lobby.listTitle', { count: entries.length })}</h3>
      <ul className="people">
        {entries.map((e) => (
          <li key={e.id} data-testid="lobby-entry" data-lobby-id={e.id}>
            <span className="person">
              {e.displayName}
              {e.guest && <small> {t('lobby.guest')}</small>}
            </span>
            <span className="row-actions">
              <button type="button" data-testid="lobby-admit" aria-label={t('lobby.admitName', { name: e.displayName })} onClick={() => void moderation.admit(e.id)}>
                {t('lobby.admit')}
              </button>
              <button
                type="button"
                className="danger"
                data-testid="lobby-refuse"
                aria-label={t('lobby.refuseName', { name: e.displayName })}
                onClick={() => void moderation.refuse(e.id)}
              >
                {t('lobby.refuse')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
