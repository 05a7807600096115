import { ACCESS_LIMITS, AUTH_LIMITS, AppError, type Role, type RoomInfo, type TokenClaims } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RoomControls } from '../moderation/RoomControls.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';

/** Who asks to come in: a token's claims and the client's address. */
export interface Visitor {
  claims: TokenClaims;
  /** The client's address (clientAddress), for the rule on removed guests (ACCESS-6). */
  address?: string;
}

/** The meeting's answer to a join: come in with `role`, or wait in the lobby. */
export type MeetingAdmission = { kind: 'join'; role: Role } | { kind: 'lobby'; role: Role };

/**
 * What the live connections of a surface (the board and chat) must do when access changes:
 * a removal ends them, a role change applies at once, an expired token ends them.
 */
export interface LiveSurface {
  closeIdentity(roomId: string, identity: string, reason: 'REMOVED'): void;
  applyRole(roomId: string, identity: string, role: Role): void;
  closeExpired(nowSeconds: number): void;
  /** AUTH-11/12: closes the connections whose token has one of these `sid` claims (SESSION_ENDED). */
  closeSessions(sids: ReadonlySet<string>): void;
}

/**
 * The role a token joins a room with (ROLE-5): a webinar's guests are attendees, except those who
 * came with an invitation, whose role its maker chose (INV-4).
 */
export function roleOnJoin(roomInfo: RoomInfo, claims: TokenClaims): Role {
  if (roomInfo.mode === 'webinar' && claims.guest && !claims.invite && claims.role !== 'host') return 'attendee';
  return claims.role;
}

/**
 * The one place that decides "may this identity come in, and with which role" (ACCESS-1…7 in
 * docs/spec/signaling.md), asked by signaling's JoinGate (the meeting) and by /collab (the board
 * and chat). It reads the room's moderation state (RoomControls: bans, lock, lobby, roles given
 * by hosts, addresses of removed guests) and who is in the meeting; and it carries removals,
 * role changes and token expiry to the live connections of the other surfaces.
 */
export class RoomAccess {
  readonly #registry: RoomRegistry;
  readonly #store: RoomStore;
  readonly #log: Logger;
  readonly #surfaces: LiveSurface[] = [];
  /** Ended sessions (`sid` claims) → when their tokens have all expired (ms): those tokens are refused. */
  readonly #ended = new Map<string, number>();
  readonly #expiryTimer: NodeJS.Timeout;
  readonly #onBanned = (roomId: string, identity: string): void => {
    for (const s of this.#surfaces) this.#safely('closeIdentity', roomId, () => s.closeIdentity(roomId, identity, 'REMOVED'));
  };
  readonly #onRole = (roomId: string, identity: string, role: Role): void => {
    for (const s of this.#surfaces) this.#safely('applyRole', roomId, () => s.applyRole(roomId, identity, role));
  };

  constructor(deps: { registry: RoomRegistry; store: RoomStore; log: Logger }) {
    this.#registry = deps.registry;
    this.#store = deps.store;
    this.#log = deps.log.child({ name: 'access' });
    this.#registry.on('banned', this.#onBanned);
    this.#registry.on('rolechanged', this.#onRole);
    this.#expiryTimer = setInterval(() => {
      const now = Math.floor(Date.now() / 1000);
      for (const s of this.#surfaces) this.#safely('closeExpired', undefined, () => s.closeExpired(now));
    }, ACCESS_LIMITS.tokenExpiryCheckMs);
    this.#expiryTimer.unref();
  }

  /** A surface whose live connections follow removals, role changes and token expiry. */
  attach(surface: LiveSurface): void {
    this.#surfaces.push(surface);
  }

  /**
   * The meeting (signaling `join`): REMOVED (ACCESS-1); hosts and sessions a host admitted from
   * the lobby come in (ACCESS-3); ROOM_LOCKED while locked (MOD-5); the lobby while it is on or
   * for a guest from the address of a removed guest (ACCESS-6); otherwise in. Synchronous: the
   * caller has awaited RoomRegistry.loadControls (PeerSession.join), so that what it decides here
   * and what it does with the answer happen in one tick.
   */
  meeting(roomInfo: RoomInfo, visitor: Visitor, admitted: boolean): MeetingAdmission {
    const controls = this.#registry.controls(roomInfo.id);
    const role = this.#role(controls, roomInfo, visitor.claims);
    if (role === 'host' || admitted) return { kind: 'join', role };
    if (controls.locked) throw new AppError('ROOM_LOCKED', 'the meeting is locked by its host');
    if (this.#mustWait(controls, visitor)) return { kind: 'lobby', role };
    return { kind: 'join', role };
  }

  /**
   * The board and chat (/collab): REMOVED (ACCESS-1); hosts and identities in the meeting come
   * in; while the room is locked or has a lobby (or for a flagged guest) others are IN_LOBBY
   * (ACCESS-5); the role is the live one (ACCESS-2).
   */
  async board(roomId: string, visitor: Visitor): Promise<Role> {
    const info = await this.#store.get(roomId);
    if (!info) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const controls = await this.#registry.loadControls(roomId);
    const role = this.#role(controls, info, visitor.claims);
    if (role === 'host' || this.#inMeeting(roomId, visitor.claims.sub)) return role;
    if (controls.locked || this.#mustWait(controls, visitor)) {
      throw new AppError('IN_LOBBY', 'join the meeting first: this room has a lobby or is locked');
    }
    return role;
  }

  /**
   * ACCESS-8: the live role of a token's identity, for the HTTP routes a room token opens
   * (invitation from the meeting, recordings): REMOVED if removed (ACCESS-1), else as ACCESS-2.
   */
  async role(roomId: string, claims: TokenClaims): Promise<Role> {
    const info = await this.#store.get(roomId);
    if (!info) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    return this.#role(await this.#registry.loadControls(roomId), info, claims);
  }

  close(): void {
    clearInterval(this.#expiryTimer);
    this.#registry.off('banned', this.#onBanned);
    this.#registry.off('rolechanged', this.#onRole);
    this.#surfaces.length = 0;
  }

  /**
   * AUTH-11/12: sessions ended (their `sid` claims): their tokens are refused SESSION_ENDED from now
   * on, as long as any of them may live, and the live connections made with them close.
   */
  endSessions(sids: readonly string[]): void {
    if (sids.length === 0) return;
    const now = Date.now();
    for (const [sid, until] of this.#ended) if (until <= now) this.#ended.delete(sid);
    for (const sid of sids) {
      this.#ended.delete(sid); // re-inserted last: the oldest are forgotten first
      this.#ended.set(sid, now + AUTH_LIMITS.sessionTokenMaxTtlS * 1000);
    }
    for (const sid of this.#ended.keys()) {
      if (this.#ended.size <= AUTH_LIMITS.endedSessionsRemembered) break;
      this.#ended.delete(sid);
    }
    const set = new Set(sids);
    for (const s of this.#surfaces) this.#safely('closeSessions', undefined, () => s.closeSessions(set));
  }

  /** ACCESS-1 then ACCESS-2: refused if removed; the role a host gave, or the token's (ROLE-5). */
  #role(controls: RoomControls, info: RoomInfo, claims: TokenClaims): Role {
    if (claims.sid !== undefined && (this.#ended.get(claims.sid) ?? 0) > Date.now()) throw new AppError('SESSION_ENDED', 'the session this token came from has ended');
    if (controls.isBanned(claims.sub, claims.jti)) throw new AppError('REMOVED', 'you were removed from this meeting');
    const token = roleOnJoin(info, claims);
    return token === 'host' ? token : (controls.roleOf(claims.sub) ?? token);
  }

  /** The lobby (ACCESS-3/4/6); a token with the lobby pass (a room's member, OWN-2) does not wait. */
  #mustWait(controls: RoomControls, visitor: Visitor): boolean {
    if (visitor.claims.pass === 'lobby') return false;
    return controls.lobbyEnabled || (visitor.claims.guest === true && controls.isFlagged(visitor.address));
  }

  #inMeeting(roomId: string, identity: string): boolean {
    const room = this.#registry.get(roomId);
    if (!room || room.closed) return false;
    for (const peer of room.peers()) if (peer.identity === identity) return true;
    return false;
  }

  #safely(what: string, roomId: string | undefined, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#log.error({ err: error, room: roomId, what }, 'could not apply an access change to live connections');
    }
  }
}
