import { AppError, LIMITS, MODERATION_LIMITS, type ErrorCode, type Role, type RoomInfo, type TokenClaims } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RoomControls } from '../moderation/RoomControls.js';

export interface JoinGateOptions {
  sessionId: string;
  claims: TokenClaims;
  roomInfo: RoomInfo;
  controls: RoomControls;
  log: Logger;
  /** Sends the waiting session a notification (lobbyAdmitted). */
  notifyAdmitted: () => void;
  /** Ends the session (refused, or waited too long). */
  end: (code: ErrorCode, message: string) => void;
  /** (Re)arms the session's join deadline: `ms` from now, or none while waiting in the lobby. */
  setJoinDeadline: (ms: number | null) => void;
}

/** The role a token joins a room with (ROLE-5): a webinar's guests are attendees. */
export function roleOnJoin(roomInfo: RoomInfo, claims: TokenClaims): Role {
  if (roomInfo.mode === 'webinar' && claims.guest && claims.role !== 'host') return 'attendee';
  return claims.role;
}

/**
 * What stands between a session and the room: removal (MOD-4), the lock (MOD-5) and the lobby
 * (LOBBY-1…5). One per session; it remembers that a host admitted the session from the lobby.
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
    const { claims, controls, roomInfo } = this.#o;
    if (this.#waiting) throw new AppError('IN_LOBBY', 'you are waiting in the lobby');
    if (controls.isBanned(claims.sub, claims.jti)) throw new AppError('REMOVED', 'you were removed from this meeting');
    const role = roleOnJoin(roomInfo, claims);
    if (role === 'host' || this.#admitted) return role;
    if (controls.locked) throw new AppError('ROOM_LOCKED', 'the meeting is locked by its host');
    if (!controls.lobbyEnabled) return role;
    this.#enterLobby();
    throw new AppError('IN_LOBBY', 'you are in the lobby: a host will let you in');
  }

  #enterLobby(): void {
    const o = this.#o;
    o.controls.enterLobby({
      id: o.sessionId,
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
