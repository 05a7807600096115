import { ACCESS_LIMITS, MODERATION_LIMITS, type ModeratedSource, type Role } from '@nomades/shared';

/** What a ban names: the token's `sub` or its `jti` (MOD-4). */
export type BanKind = 'identity' | 'token';

/**
 * The moderation state of one room that outlives a restart (MOD-10): every list oldest first, the
 * order the caps forget in. Raised hands and lobby waiters are live sessions: never stored.
 */
export interface PersistedModeration {
  locked: boolean;
  lobbyEnabled: boolean;
  bannedIdentities: string[];
  bannedTokens: string[];
  /** Roles hosts gave during the meeting, by identity (MOD-6). */
  roles: Array<[identity: string, role: Role]>;
  /** Media locks, by identity (MOD-2); an identity's first lock orders it. */
  mediaLocks: Array<[identity: string, source: ModeratedSource]>;
  /** Addresses of removed guests (ACCESS-6). */
  flaggedAddresses: string[];
}

/** How much one room may hold; a store keeps the newest entries and forgets the oldest beyond. */
export interface ModerationStoreLimits {
  bansPerKind: number;
  roles: number;
  mediaLockedIdentities: number;
  flaggedAddresses: number;
}

export const MODERATION_STORE_LIMITS: ModerationStoreLimits = {
  bansPerKind: MODERATION_LIMITS.maxBansPerRoom,
  roles: MODERATION_LIMITS.maxRolesPerRoom,
  mediaLockedIdentities: MODERATION_LIMITS.maxMediaLockedIdentitiesPerRoom,
  flaggedAddresses: ACCESS_LIMITS.maxFlaggedAddressesPerRoom,
};

/**
 * Persistence of the moderation state, room by room (KyselyModerationStore). RoomControls reads
 * a room once, then writes every change through, in order. Methods reject on a storage failure;
 * RoomControls decides what that means (MOD-10). A deleted room's state goes with
 * Store.deleteRoomRows (ROOM-7).
 */
export interface ModerationStore {
  load(roomId: string): Promise<PersistedModeration>;
  setFlags(roomId: string, flags: { locked: boolean; lobbyEnabled: boolean }): Promise<void>;
  /** Adds a ban (a repeat is a no-op that keeps its place), then forgets the oldest beyond the cap. */
  addBan(roomId: string, kind: BanKind, value: string): Promise<void>;
  /** Sets an identity's role (a change keeps its place), then forgets the oldest beyond the cap. */
  setRole(roomId: string, identity: string, role: Role): Promise<void>;
  setMediaLock(roomId: string, identity: string, source: ModeratedSource, locked: boolean): Promise<void>;
  flagAddress(roomId: string, address: string): Promise<void>;
}
