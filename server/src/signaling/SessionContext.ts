import type { Logger } from '../logging/logger.js';
import type { IceServer } from '../reach/TurnCredentials.js';
import type { Peer } from '../rooms/Peer.js';
import type { Room } from '../rooms/Room.js';

/** What a request handler may use of the session that received the request. */
export interface SessionContext {
  readonly log: Logger;
  /** Joins the room of the session's token (once). */
  join(): Promise<{ room: Room; peer: Peer }>;
  /** SIG-13: takes over a participant the room still keeps; throws RESUME_FAILED. */
  resume(peerId: string, resumeToken: string, lastSeq: number): Promise<{ room: Room; peer: Peer; resumeToken: string; replayed: number }>;
  /** How long the room keeps a participant whose socket is lost. */
  readonly resumeGraceMs: number;
  /** REACH-4: TURN servers and fresh credentials for this participant (empty without TURN). */
  iceServers(peerId: string): IceServer[];
  /** NODE-3: the other live nodes' base URLs (none on one node). */
  otherNodes(): string[];
  /** The joined room and peer; throws NOT_JOINED before join. */
  joined(): { room: Room; peer: Peer };
  /** Leaves the room and ends the session. */
  leave(): void;
  /** OPS-3: the client's first-media time, once per session after join (CONFLICT after). */
  reportFirstMedia(ms: number): void;
}
