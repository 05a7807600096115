import { can, type Role } from '@nomades/shared';
import type { ModerationClient, ModerationSnapshot } from '../media/ModerationClient';
import type { RoomSnapshot } from '../media/RoomClientTypes';
import { LobbyList } from './LobbyList';

interface Props {
  room: RoomSnapshot;
  mod: ModerationSnapshot;
  moderation: ModerationClient;
}

const BADGE: Record<Role, string> = { host: 'Host', participant: 'Participant', attendee: 'Attendee' };

/**
 * Who is in the meeting, with role badges and raised hands. Hosts also get the hand queue, the
 * lobby, and per-participant mute / stop camera / promote / remove (MOD-n). The server enforces
 * every right: these buttons only save a refused request.
 */
export function ParticipantsPanel({ room, mod, moderation }: Props) {
  const self = room.self!;
  const myRole = mod.role ?? self.role;
  const isHost = can(myRole, 'moderate');
  const hands = new Set(mod.controls.hands.map((h) => h.peerId));
  const people = [
    { id: self.peerId, displayName: `${self.displayName} (you)`, role: myRole, micMuted: !room.micOn, self: true },
    ...room.peers.map((p) => ({ id: p.id, displayName: p.displayName, role: mod.roles.get(p.id) ?? p.role, micMuted: p.micMuted, self: false })),
  ];

  return (
    <aside className="side-panel" data-testid="participants-panel" aria-label="Participants">
      <h2>Participants ({people.length})</h2>
      {isHost && (
        <div className="panel-actions">
          <button type="button" data-testid="mute-all" onClick={() => void moderation.muteAll()}>
            Mute everyone
          </button>
          <label>
            <input type="checkbox" data-testid="lock-room" checked={mod.controls.locked} onChange={(e) => void moderation.setLocked(e.target.checked)} />
            Lock
          </label>
          <label>
            <input type="checkbox" data-testid="lobby-toggle" checked={mod.controls.lobbyEnabled} onChange={(e) => void moderation.setLobby(e.target.checked)} />
            Lobby
          </label>
        </div>
      )}
      {isHost && <LobbyList entries={mod.controls.lobby} moderation={moderation} />}
      {isHost && mod.controls.hands.length > 0 && (
        <section data-testid="hand-queue">
          <h3>Raised hands</h3>
          <ol>
            {mod.controls.hands.map((h) => (
              <li key={h.peerId} data-peer-id={h.peerId}>
                {h.displayName}{' '}
                <button type="button" className="link" data-testid="lower-hand" onClick={() => void moderation.setHand(false, h.peerId)}>
                  Lower
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
      <ul className="people">
        {people.map((p) => (
          <li key={p.id} data-testid="participant-row" data-peer-id={p.id}>
            <span className="person">
              {hands.has(p.id) && <span aria-label="hand raised" data-testid="hand-raised">✋ </span>}
              {p.displayName}
            </span>
            <span className={`badge ${p.role}`} data-testid="role-badge">
              {BADGE[p.role]}
            </span>
            {isHost && !p.self && (
              <span className="row-actions">
                <button type="button" data-testid="mute-participant" disabled={p.micMuted} onClick={() => void moderation.mute(p.id, 'microphone')}>
                  Mute
                </button>
                <button type="button" data-testid="stop-camera" onClick={() => void moderation.mute(p.id, 'camera')}>
                  Stop video
                </button>
                {p.role !== 'host' && (
                  <button
                    type="button"
                    data-testid={p.role === 'attendee' ? 'promote-participant' : 'demote-participant'}
                    onClick={() => void moderation.setRole(p.id, p.role === 'attendee' ? 'participant' : 'attendee')}
                  >
                    {p.role === 'attendee' ? 'Let speak' : 'Make attendee'}
                  </button>
                )}
                <button type="button" className="danger" data-testid="remove-participant" onClick={() => void moderation.remove(p.id)}>
                  Remove
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
