import { ACCESS_LIMITS, AppError } from '@nomades/shared';

/**
 * Open socket.io connections per identity and per room (SIG-11). Counts are taken when a
 * session starts and given back when it closes, so they never drift; an identity's or room's
 * entry is dropped at zero (memory follows the open sockets).
 */
export class SocketQuota {
  readonly #perIdentity = new Map<string, number>();
  readonly #perRoom = new Map<string, number>();

  /** Throws RATE_LIMITED (identity) or ROOM_FULL (room) when one more socket would pass a limit. */
  check(identity: string, roomId: string, maxParticipants: number): void {
    if ((this.#perIdentity.get(identity) ?? 0) >= ACCESS_LIMITS.maxSocketsPerIdentity) {
      throw new AppError('RATE_LIMITED', `at most ${ACCESS_LIMITS.maxSocketsPerIdentity} connections per identity`);
    }
    if ((this.#perRoom.get(roomId) ?? 0) >= maxParticipants + ACCESS_LIMITS.roomSocketMargin) {
      throw new AppError('ROOM_FULL', 'too many connections to this room');
    }
  }

  /** check() then count one more; returns the release function (idempotent). */
  acquire(identity: string, roomId: string, maxParticipants: number): () => void {
    this.check(identity, roomId, maxParticipants);
    add(this.#perIdentity, identity, 1);
    add(this.#perRoom, roomId, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      add(this.#perIdentity, identity, -1);
      add(this.#perRoom, roomId, -1);
    };
  }
}

function add(map: Map<string, number>, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
