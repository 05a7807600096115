import type { LobbyEntry } from '@nomades/shared';
import type { ModerationClient } from '../media/ModerationClient';

/** For hosts: the people waiting in the lobby, to admit or refuse (LOBBY-2, LOBBY-3). */
export function LobbyList({ entries, moderation }: { entries: readonly LobbyEntry[]; moderation: ModerationClient }) {
  if (entries.length === 0) return null;
  return (
    <section data-testid="lobby-list" aria-label="Waiting in the lobby">
      <h3>Waiting to join ({entries.length})</h3>
      <ul className="people">
        {entries.map((e) => (
          <li key={e.id} data-testid="lobby-entry" data-lobby-id={e.id}>
            <span className="person">
              {e.displayName}
              {e.guest && <small> (guest)</small>}
            </span>
            <span className="row-actions">
              <button type="button" data-testid="lobby-admit" onClick={() => void moderation.admit(e.id)}>
                Admit
              </button>
              <button type="button" className="danger" data-testid="lobby-refuse" onClick={() => void moderation.refuse(e.id)}>
                Refuse
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
