import { useEffect, useState } from 'react';
import type { ErrorPayload, MyRoom } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { fetchRoomSettings } from '../auth/agentApi';
import { draftOf, type SettingsDraft } from '../auth/settingsForm';
import { ClientError } from '../media/ClientError';
import { CalendarInvite } from './CalendarInvite';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';
import { RoomSettingsForm } from './RoomSettingsForm';

interface Props {
  /** The room whose settings are open, null when the dialog is closed. */
  room: MyRoom | null;
  ownersMayRecord: boolean;
  onClose: () => void;
  onSaved: () => void;
}

/** OWN-3 and OWN-7: a room's settings and its calendar invitation, for its owners, in a modal dialog. */
export function RoomSettingsDialog({ room, ownersMayRecord, onClose, onSaved }: Props) {
  const { t } = useTranslation('auth');
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const roomId = room?.id ?? null;
  useEffect(() => {
    setDraft(null);
    setError(null);
    if (!roomId) return;
    let active = true;
    fetchRoomSettings(roomId).then(
      (settings) => active && setDraft(draftOf(settings)),
      (caught: unknown) => active && setError(ClientError.from(caught, 'UNAVAILABLE').toPayload()),
    );
    return () => {
      active = false;
    };
  }, [roomId]);

  return (
    <Dialog open={room !== null} onClose={onClose} title={t('settings.title', { room: room?.name ?? '' })} testId="room-settings">
      {room && (
        <div className="settings-body">
          {error && <ErrorNotice error={error} />}
          {!draft && !error && <p className="status">{t('settings.loading')}</p>}
          {draft && <RoomSettingsForm roomId={room.id} initial={draft} ownersMayRecord={ownersMayRecord} onSaved={onSaved} />}
          <CalendarInvite roomId={room.id} />
        </div>
      )}
    </Dialog>
  );
}
