import { AppError, LIMITS, MODERATION_LIMITS, type ErrorCode, type Role, type RoomInfo, type TokenClaims } from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { Logger } from '../logging/logger.js';
import type { RoomControls } from '../moderation/RoomControls.js';

export interface JoinGateOptions {
  sessionId: string;
  claims: TokenClaims;
  /** The client's address (ACCESS-6). */
  address?: string;
  roomInfo: RoomInfo;
  controls: RoomControls;
  /** The rule (ACCESS-n); the gate only keeps this session's lobby state. */
  access: RoomAccess;
  log: Logger;
  /** Sends the waiting session a notification (lobbyAdmitted). */
  notifyAdmitted: () => void;
  /** Ends the session (refused, or waited too long). */
  end: (code: ErrorCode, message: string) => void;
  /** (Re)arms the session's join deadline: `ms` from now, or none while waiting in the lobby. */
  setJoinDeadline: (ms: number | null) => void;
}

/**
 * One session's way into the room: asks RoomAccess (removal, lock, lobby, role: ACCESS-n) and
 * keeps the session's lobby state (waiting, admitted by a host: LOBBY-1…6).
 */
export class JoinGate {
  readonly #o: JoinGateOptions;
  #waiting = false;
  #admitted = false;
  #closed = false;

  constructor(options: JoinGateOptions) {
    this.#o = options;
  }

  /**
   * Returns the role to join with, or throws: REMOVED, ROOM_LOCKED, or IN_LOBBY (the session
   * now waits in the lobby; it sends `join` again after `lobbyAdmitted`).
   */
  check(): Role {
    const { claims, address, roomInfo } = this.#o;
    if (this.#waiting) throw new AppError('IN_LOBBY', 'you are waiting in the lobby');
    const admission = this.#o.access.meeting(roomInfo, { claims, address }, this.#admitted);
    if (admission.kind === 'join') return admission.role;
    this.#enterLobby();
    throw new AppError('IN_LOBBY', 'you are in the lobby: a host will let you in');
  }

  #enterLobby(): void {
    const o = this.#o;
    o.controls.enterLobby({
      id: o.sessionId,
      identity: o.claims.sub,
      displayName: o.claims.name,
      guest: o.claims.guest === true,
      since: Date.now(),
      admit: () => {
        if (this.#closed) return;
        this.#waiting = false;
        this.#admitted = true;
        o.setJoinDeadline(LIMITS.joinTimeoutMs);
        o.log.info('admitted from the lobby');
        o.notifyAdmitted();
      },
      refuse: () => {
        this.#waiting = false;
        o.end('LOBBY_REFUSED', 'a host did not let you in');
      },
      supersede: () => {
        this.#waiting = false;
        o.end('ALREADY_JOINED', 'you knocked again from another window');
      },
    });
    this.#waiting = true;
    o.setJoinDeadline(MODERATION_LIMITS.lobbyWaitMs);
    o.log.info('waiting in the lobby');
  }

  /** Leaves the lobby if waiting. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waiting) this.#o.controls.leaveLobby(this.#o.sessionId);
    this.#waiting = false;
  }
}
