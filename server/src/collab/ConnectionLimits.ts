import { AppError, COLLAB_LIMITS } from '@nomades/shared';
import type { SocketGuard } from './SocketGuard.js';

/**
 * Caps authenticated /collab sockets per room document (COL-15): COLLAB_LIMITS
 * maxConnectionsPerIdentity for one token `sub`, maxConnectionsPerRoom in all. A socket counts
 * from its authentication until it is closed; one socket authenticating the same room again
 * counts once.
 */
export class ConnectionLimits {
  /** Per room: socket → identity. */
  readonly #rooms = new Map<string, Map<SocketGuard, string>>();

  constructor(
    private readonly perIdentity: number = COLLAB_LIMITS.maxConnectionsPerIdentity,
    private readonly perRoom: number = COLLAB_LIMITS.maxConnectionsPerRoom,
  ) {}

  /** Counts `guard` for `identity` in `roomId`, or throws the refusal (RATE_LIMITED, ROOM_FULL). */
  admit(roomId: string, identity: string, guard: SocketGuard): void {
    let room = this.#rooms.get(roomId);
    if (room?.has(guard)) return;
    if (room && room.size >= this.perRoom) throw new AppError('ROOM_FULL', `at most ${this.perRoom} board connections per room`, { max: this.perRoom });
    let mine = 0;
    for (const id of room?.values() ?? []) if (id === identity) mine += 1;
    if (mine >= this.perIdentity) throw new AppError('RATE_LIMITED', `at most ${this.perIdentity} board connections per person in a room`);
    if (!room) this.#rooms.set(roomId, (room = new Map()));
    room.set(guard, identity);
    guard.onClosed(() => {
      const current = this.#rooms.get(roomId);
      current?.delete(guard);
      if (current?.size === 0) this.#rooms.delete(roomId);
    });
  }

  /** Open connections of a room (for tests and health). */
  count(roomId: string): number {
    return this.#rooms.get(roomId)?.size ?? 0;
  }
}
