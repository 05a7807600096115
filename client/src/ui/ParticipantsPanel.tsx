import { can, type Role } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { ModerationClient, ModerationSnapshot } from '../media/ModerationClient';
import type { RoomSnapshot } from '../media/RoomClientTypes';
import { HandIcon } from './icons';
import { LobbyList } from './LobbyList';

interface Props {
  room: RoomSnapshot;
  mod: ModerationSnapshot;
  moderation: ModerationClient;
}


/**
 * Who is in the meeting, with role badges and raised hands. Hosts also get the hand queue, the
 * lobby, and per-participant mute / stop camera / promote / remove (MOD-n). The server enforces
 * every right: these buttons only save a refused request.
 */
export function ParticipantsPanel({ room, mod, moderation }: Props) {
  const { t } = useTranslation();
  const badge = (role: Role): string => (role === 'host' ? t('role.host') : role === 'participant' ? t('role.participant') : t('role.attendee'));
  const self = room.self!;
  const myRole = mod.role ?? self.role;
  const isHost = can(myRole, 'moderate');
  const hands = new Set(mod.controls.hands.map((h) => h.peerId));
  const people = [
    { id: self.peerId, displayName: t('tile.you', { name: self.displayName }), role: myRole, micMuted: !room.micOn, self: true },
    ...room.peers.map((p) => ({ id: p.id, displayName: p.displayName, role: mod.roles.get(p.id) ?? p.role, micMuted: p.micMuted, self: false })),
  ];

  return (
    <aside className="side-panel" data-testid="participants-panel" aria-label={t('people.label')}>
      <h2>{t('people.title', { count: people.length })}</h2>
      {isHost && (
        <div className="panel-actions">
          <button type="button" data-testid="mute-all" onClick={() => void moderation.muteAll()}>
            {t('people.muteAll')}
          </button>
          <label>
            <input type="checkbox" data-testid="lock-room" checked={mod.controls.locked} onChange={(e) => void moderation.setLocked(e.target.checked)} />
            {t('people.lock')}
          </label>
          <label>
            <input type="checkbox" data-testid="lobby-toggle" checked={mod.controls.lobbyEnabled} onChange={(e) => void moderation.setLobby(e.target.checked)} />
            {t('people.lobby')}
          </label>
        </div>
      )}
      {isHost && <LobbyList entries={mod.controls.lobby} moderation={moderation} />}
      {isHost && mod.controls.hands.length > 0 && (
        <section data-testid="hand-queue">
          <h3>{t('people.hands')}</h3>
          <ol>
            {mod.controls.hands.map((h) => (
              <li key={h.peerId} data-peer-id={h.peerId}>
                {h.displayName}{' '}
                <button
                  type="button"
                  className="link"
                  data-testid="lower-hand"
                  aria-label={t('people.lowerHandOf', { name: h.displayName })}
                  onClick={() => void moderation.setHand(false, h.peerId)}
                >
                  {t('people.lowerHand')}
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
              {hands.has(p.id) && (
                <span role="img" aria-label={t('people.handRaised')} data-testid="hand-raised">
                  <HandIcon size={16} />
                </span>
              )}
              {p.displayName}
            </span>
            <span className={`badge ${p.role}`} data-testid="role-badge">
              {badge(p.role)}
            </span>
            {isHost && !p.self && (
              <span className="row-actions">
                <button
                  type="button"
                  data-testid="mute-participant"
                  disabled={p.micMuted}
                  aria-label={t('people.muteName', { name: p.displayName })}
                  onClick={() => void moderation.mute(p.id, 'microphone')}
                >
                  {t('people.mute')}
                </button>
                <button
                  type="button"
                  data-testid="stop-camera"
                  aria-label={t('people.stopCameraName', { name: p.displayName })}
                  onClick={() => void moderation.mute(p.id, 'camera')}
                >
                  {t('people.stopCamera')}
                </button>
                {p.role !== 'host' && (
                  <button
                    type="button"
                    data-testid={p.role === 'attendee' ? 'promote-participant' : 'demote-participant'}
                    aria-label={p.role === 'attendee' ? t('people.promoteName', { name: p.displayName }) : t('people.demoteName', { name: p.displayName })}
                    onClick={() => void moderation.setRole(p.id, p.role === 'attendee' ? 'participant' : 'attendee')}
                  >
                    {p.role === 'attendee' ? t('people.promote') : t('people.demote')}
                  </button>
                )}
                <button
                  type="button"
                  className="danger"
                  data-testid="remove-participant"
                  aria-label={t('people.removeName', { name: p.displayName })}
                  onClick={() => void moderation.remove(p.id)}
                >
                  {t('people.remove')}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
