import { useCallback, useState, useSyncExternalStore } from 'react';
import type { RoomClient } from '../media/RoomClient';
import { Controls } from './Controls';
import { LocalTile } from './LocalTile';
import { ParticipantTile } from './ParticipantTile';

/** The meeting itself: a grid of tiles and the control bar, rendered from the client's snapshot. */
export function RoomView({ client, roomId }: { client: RoomClient; roomId: string }) {
  const room = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const onAudioBlocked = useCallback(() => setAudioBlocked(true), []);

  if (room.phase !== 'joined' || !room.self) {
    return (
      <main className="center" aria-busy="true">
        <p className="status">Joining the meeting…</p>
      </main>
    );
  }

  const enableSound = (): void => {
    document.querySelectorAll('audio').forEach((audio) => void audio.play().catch(() => undefined));
    setAudioBlocked(false);
  };
  const count = room.peers.length + 1;

  return (
    <main className="room">
      <header className="room-header">
        <h1>{roomId}</h1>
        <span>
          {count} participant{count > 1 ? 's' : ''}
        </span>
      </header>
      {room.warning && (
        <div className="notice" role="status">
          {room.warning}
        </div>
      )}
      {audioBlocked && (
        <button type="button" className="notice action" onClick={enableSound}>
          Your browser blocked the sound of the meeting. Click here to hear the others.
        </button>
      )}
      <section className={`grid grid-${Math.min(count, 4)}`} aria-label="Participants">
        <LocalTile peerId={room.self.peerId} name={room.self.displayName} track={room.localVideoTrack} micOn={room.micOn} />
        {room.peers.map((peer) => (
          <ParticipantTile
            key={peer.id}
            peer={peer}
            onAudioBlocked={onAudioBlocked}
            onViewport={(viewport) => client.setTileViewport(peer.id, viewport)}
          />
        ))}
      </section>
      <Controls
        micOn={room.micOn}
        cameraOn={room.cameraOn}
        onToggleMic={() => void client.setMicEnabled(!room.micOn)}
        onToggleCamera={() => void client.setCameraEnabled(!room.cameraOn)}
        onLeave={() => void client.leave()}
      />
    </main>
  );
}
