import { useState, type FormEvent } from 'react';
import { roomIdSchema } from '@nomades/shared';

/** `/`: the product's name and a field to go to a room by its id. */
export function Home() {
  const [roomId, setRoomId] = useState('');
  const valid = roomIdSchema.safeParse(roomId.trim()).success;
  const go = (event: FormEvent): void => {
    event.preventDefault();
    if (valid) window.location.assign(`/room/${encodeURIComponent(roomId.trim())}`);
  };
  return (
    <main className="center">
      <form className="card home" onSubmit={go}>
        <h1>Nomades Visio</h1>
        <p className="hint">Video meetings, hosted by your organisation.</p>
        <label className="field">
          <span>Meeting id</span>
          <input
            data-testid="room-id"
            value={roomId}
            placeholder="e.g. weekly-sync"
            autoFocus
            onChange={(event) => setRoomId(event.target.value)}
          />
        </label>
        {roomId.trim() && !valid && <p className="hint">Letters, digits, “-” and “_” only.</p>}
        <button type="submit" className="primary" disabled={!valid}>
          Go to the meeting
        </button>
      </form>
    </main>
  );
}
