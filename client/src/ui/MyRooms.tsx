import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload, MyRoom } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { fetchMyRooms } from '../auth/agentApi';
import { ClientError } from '../media/ClientError';
import { ErrorNotice } from './ErrorNotice';
import { RoomSettingsDialog } from './RoomSettingsDialog';

/** OWN-4: "Mes salles", each a link to the room with what the agent is there; its owners open its settings. */
export function MyRooms({ ownersMayRecord }: { ownersMayRecord: boolean }) {
  const { t } = useTranslation('auth');
  const [rooms, setRooms] = useState<MyRoom[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [settingsOf, setSettingsOf] = useState<MyRoom | null>(null);
  const load = useCallback(() => {
    fetchMyRooms().then(
      (answer) => {
        setRooms(answer);
        setError(null);
      },
      (caught: unknown) => setError(ClientError.from(caught, 'UNAVAILABLE').toPayload()),
    );
  }, []);
  useEffect(load, [load]);

  return (
    <section className="card account" aria-labelledby="my-rooms-title" data-testid="my-rooms" aria-busy={rooms === null && !error}>
      <h2 id="my-rooms-title">{t('rooms.title')}</h2>
      {error && <ErrorNotice error={error} />}
      {rooms === null && !error && <p className="status">{t('rooms.loading')}</p>}
      {rooms?.length === 0 && <p className="hint">{t('rooms.none')}</p>}
      {rooms && rooms.length > 0 && (
        <ul className="my-rooms">
          {rooms.map((room) => (
            <li key={room.id} data-testid="my-room" data-room-id={room.id} data-relation={room.relation}>
              <a href={`/room/${encodeURIComponent(room.id)}`}>{room.name}</a>
              <span className="relation">{t(`rooms.relation.${room.relation}`)}</span>
              {room.relation === 'owner' && (
                <button type="button" className="secondary" data-testid="room-settings-open" onClick={() => setSettingsOf(room)}>
                  {t('rooms.settings')}
                  <span className="sr-only">{t('rooms.settingsOf', { room: room.name })}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <RoomSettingsDialog room={settingsOf} ownersMayRecord={ownersMayRecord} onClose={() => setSettingsOf(null)} onSaved={load} />
    </section>
  );
}
