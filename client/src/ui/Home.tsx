import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { roomIdSchema } from '@nomades/shared';
import { LanguageSwitch } from './LanguageSwitch';

/** `/`: the product's name and a field to go to a room by its id. */
export function Home() {
  const { t } = useTranslation();
  const [roomId, setRoomId] = useState('');
  const valid = roomIdSchema.safeParse(roomId.trim()).success;
  const go = (event: FormEvent): void => {
    event.preventDefault();
    if (valid) window.location.assign(`/room/${encodeURIComponent(roomId.trim())}`);
  };
  return (
    <main className="center">
      <LanguageSwitch />
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
    </main>
  );
}
