import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { roomIdOf } from '../media/roomIdOf';

/** The product's name and a field to go to a room by its id or its name ("Réunion d'équipe DASCO"). */
export function GoToRoomForm() {
  const { t } = useTranslation();
  const [roomId, setRoomId] = useState('');
  const target = roomIdOf(roomId);
  const valid = target !== null;
  const go = (event: FormEvent): void => {
    event.preventDefault();
    if (target) window.location.assign(`/room/${encodeURIComponent(target)}`);
  };
  return (
    <form className="card home" onSubmit={go}>
      <h1>Nomades Visio</h1>
      <p className="hint">{t('home.tagline')}</p>
      <label className="field">
        <span>{t('home.roomLabel')}</span>
        <input
          data-testid="room-id"
          value={roomId}
          placeholder={t('home.roomPlaceholder')}
          aria-describedby={roomId.trim() && !valid ? 'room-id-hint' : undefined}
          autoFocus
          onChange={(event) => setRoomId(event.target.value)}
        />
      </label>
      {roomId.trim() && !valid && (
        <p className="hint" id="room-id-hint">
          {t('home.roomInvalid')}
        </p>
      )}
      <button type="submit" className="primary" disabled={!valid}>
        {t('home.go')}
      </button>
    </form>
  );
}
