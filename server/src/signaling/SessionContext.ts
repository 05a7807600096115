import type { Logger } from '../logging/logger.js';
import type { Peer } from '../rooms/Peer.js';
import type { Room } from '../rooms/Room.js';

/** What a request handler may use of the session that received the request. */
export interface SessionContext {
  readonly log: Logger;
  /** Joins the room of the session's token (once). */
  join(): Promise<{ room: Room; peer: Peer }>;
  /** The joined room and peer; throws NOT_JOINED before join. */
  joined(): { room: Room; peer: Peer };
  /** Leaves the room and ends the session. */
  leave(): void;
}
