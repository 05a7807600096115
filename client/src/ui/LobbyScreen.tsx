import { useTranslation } from 'react-i18next';

/** What a guest sees while waiting in the lobby (LOBBY-1): no peers, no media, just the wait. */
export function LobbyScreen({ roomName, onLeave }: { roomName: string; onLeave: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="center">
      <div className="card" data-testid="lobby-waiting" aria-live="polite">
        <h1>{t('lobby.title')}</h1>
        <p className="hint">{t('lobby.explain', { room: roomName })}</p>
        <div className="actions">
          <button type="button" data-testid="lobby-leave" onClick={onLeave}>
            {t('lobby.leave')}
          </button>
        </div>
      </div>
    </main>
  );
}
