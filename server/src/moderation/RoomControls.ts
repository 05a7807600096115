import { EventEmitter } from 'node:events';
import {
  ACCESS_LIMITS,
  AppError,
  MODERATION_LIMITS,
  type LobbyEntry,
  type ModeratedSource,
  type RaisedHand,
  type Role,
  type RoomControls as RoomControlsView,
} from '@nomades/shared';
import type { ModerationStore, PersistedModeration } from '../store/ModerationStore.js';

/** Where a failed write of the moderation state is recorded (FaultLog: `/healthz` degraded). */
export interface ModerationFaults {
  record(source: string, error: unknown, context?: Record<string, unknown>): void;
}

/** Where RoomControls keeps what outlives a restart; without it, memory only. */
export interface ModerationPersistence {
  store: ModerationStore;
  faults: ModerationFaults;
}

/** The FaultLog source of moderation store failures (MOD-10). */
export const MODERATION_STORE_FAULT = 'moderation.store';

/** A session waiting in the lobby (LOBBY-n): what hosts see, and how to answer it. */
export interface LobbyWaiter extends LobbyEntry {
  /** The token's `sub` (never shown to hosts): one entry per identity (LOBBY-6). */
  identity: string;
  admit(): void;
  refuse(): void;
  /** A newer knock of the same identity took this entry's place. */
  supersede(): void;
}

export type RoomControlsEvents = {
  /** Anything of the state below changed (peers are sent a fresh `roomControls`). */
  changed: [];
  /** An identity (and token id) was removed from the room (MOD-4): live connections must end. */
  banned: [identity: string, tokenId: string | undefined];
  /** A host changed an identity's role (MOD-6): live connections take it. */
  rolechanged: [identity: string, role: Role];
};

/**
 * The moderation state of one room: lock, lobby and its waiters, removed identities and token
 * ids, media locks, raised hands. Kept by the RoomRegistry per room id, so that it outlives the
 * live Room (a lock or a ban set before or between meetings holds). What must outlive a restart
 * (MOD-10: everything but hands and lobby waiters) is read from the ModerationStore once, by
 * `load()` (RoomRegistry.loadControls, awaited by every way in before it decides anything), and
 * written through on every change, in order; a failed write is applied anyway and recorded as a
 * fault, a failed read answers UNAVAILABLE (and is tried again on the next load). The decisions
 * themselves stay synchronous: a check and what it leads to happen in one tick.
 */
export class RoomControls extends EventEmitter<RoomControlsEvents> {
  readonly roomId: string;
  #locked = false;
  #lobbyEnabled = false;
  readonly #bannedIdentities = new Set<string>();
  readonly #bannedTokens = new Set<string>();
  readonly #mediaLocks = new Map<string, Set<ModeratedSource>>();
  readonly #hands = new Map<string, RaisedHand>();
  readonly #lobby = new Map<string, LobbyWaiter>();
  readonly #roles = new Map<string, Role>();
  readonly #flaggedAddresses = new Set<string>();
  readonly #persistence?: ModerationPersistence;
  #loaded: boolean;
  #loading?: Promise<void>;
  /** The last write through: the next one starts after it (a room's changes are stored in order). */
  #writes: Promise<void> = Promise.resolve();

  constructor(roomId: string, persistence?: ModerationPersistence) {
    super();
    this.roomId = roomId;
    this.#persistence = persistence;
    this.#loaded = !persistence;
  }

  get locked(): boolean {
    this.#load();
    return this.#locked;
  }

  get lobbyEnabled(): boolean {
    this.#load();
    return this.#lobbyEnabled;
  }

  /** True when memory holds nothing the store does not: the registry may forget these controls. */
  get pristine(): boolean {
    if (this.#lobby.size > 0) return false;
    if (!this.#loaded) return true;
    return (
      !this.#locked &&
      !this.#lobbyEnabled &&
      this.#bannedIdentities.size === 0 &&
      this.#mediaLocks.size === 0 &&
      this.#lobby.size === 0 &&
      this.#roles.size === 0 &&
      this.#flaggedAddresses.size === 0
    );
  }

  /** Sessions waiting in the lobby (known without the persisted state). */
  get lobbySize(): number {
    return this.#lobby.size;
  }

  setLocked(locked: boolean): void {
    this.#load();
    if (this.#locked === locked) return;
    this.#locked = locked;
    this.#saveFlags();
    this.emit('changed');
  }

  /** Turning the lobby off admits everyone waiting (LOBBY-4). */
  setLobbyEnabled(enabled: boolean): void {
    this.#load();
    if (this.#lobbyEnabled === enabled) return;
    this.#lobbyEnabled = enabled;
    this.#saveFlags();
    if (!enabled) for (const waiter of [...this.#lobby.values()]) this.admit(waiter.id);
    this.emit('changed');
  }

  ban(identity: string, tokenId?: string): void {
    this.#load();
    addCapped(this.#bannedIdentities, identity, MODERATION_LIMITS.maxBansPerRoom);
    this.#save('ban', (store) => store.addBan(this.roomId, 'identity', identity));
    if (tokenId) {
      addCapped(this.#bannedTokens, tokenId, MODERATION_LIMITS.maxBansPerRoom);
      this.#save('ban', (store) => store.addBan(this.roomId, 'token', tokenId));
    }
    this.emit('banned', identity, tokenId);
  }

  isBanned(identity: string, tokenId?: string): boolean {
    this.#load();
    return this.#bannedIdentities.has(identity) || (tokenId !== undefined && this.#bannedTokens.has(tokenId));
  }

  /** A role a host gave an identity (MOD-6): it holds over rejoins, like media locks. */
  setRoleOf(identity: string, role: Role): void {
    this.#load();
    if (!this.#roles.has(identity)) evictOldest(this.#roles, MODERATION_LIMITS.maxRolesPerRoom);
    this.#roles.set(identity, role);
    this.#save('role', (store) => store.setRole(this.roomId, identity, role));
    this.emit('rolechanged', identity, role);
  }

  roleOf(identity: string): Role | undefined {
    this.#load();
    return this.#roles.get(identity);
  }

  /** Remembers the address of a removed guest (ACCESS-6): guests from it wait in the lobby. */
  flagAddress(address: string): void {
    this.#load();
    addCapped(this.#flaggedAddresses, address, ACCESS_LIMITS.maxFlaggedAddressesPerRoom);
    this.#save('flagAddress', (store) => store.flagAddress(this.roomId, address));
  }

  isFlagged(address: string | undefined): boolean {
    this.#load();
    return address !== undefined && this.#flaggedAddresses.has(address);
  }

  /** Media locks are kept by identity: leaving and joining again does not lift them. */
  lockMedia(identity: string, source: ModeratedSource): void {
    this.#load();
    if (!this.#lockInMemory(identity, source)) return;
    this.#save('lockMedia', (store) => store.setMediaLock(this.roomId, identity, source, true));
    this.emit('changed');
  }

  unlockMedia(identity: string, source: ModeratedSource): void {
    this.#load();
    const set = this.#mediaLocks.get(identity);
    if (!set?.delete(source)) return;
    if (set.size === 0) this.#mediaLocks.delete(identity);
    this.#save('unlockMedia', (store) => store.setMediaLock(this.roomId, identity, source, false));
    this.emit('changed');
  }

  isMediaLocked(identity: string, source: ModeratedSource): boolean {
    this.#load();
    return this.#mediaLocks.get(identity)?.has(source) ?? false;
  }

  setHand(peerId: string, displayName: string, raised: boolean): void {
    if (raised === this.#hands.has(peerId)) return;
    if (raised) this.#hands.set(peerId, { peerId, displayName, raisedAt: Date.now() });
    else this.#hands.delete(peerId);
    this.emit('changed');
  }

  /**
   * Adds a waiter. An identity holds at most maxLobbyEntriesPerIdentity entries: its oldest one is
   * superseded (LOBBY-6). ROOM_FULL when the lobby is at its limit (LOBBY-5).
   */
  enterLobby(waiter: LobbyWaiter): void {
    const same = [...this.#lobby.values()].filter((w) => w.identity === waiter.identity);
    for (const older of same.slice(0, Math.max(0, same.length - MODERATION_LIMITS.maxLobbyEntriesPerIdentity + 1))) {
      this.#lobby.delete(older.id);
      older.supersede();
    }
    if (this.#lobby.size >= MODERATION_LIMITS.maxLobbyEntries) {
      throw new AppError('ROOM_FULL', 'too many people are waiting in the lobby');
    }
    this.#lobby.set(waiter.id, waiter);
    this.emit('changed');
  }

  /** The waiter left (disconnected, timed out). */
  leaveLobby(id: string): void {
    if (this.#lobby.delete(id)) this.emit('changed');
  }

  admit(id: string): void {
    const waiter = this.#take(id);
    waiter.admit();
  }

  refuse(id: string): void {
    const waiter = this.#take(id);
    waiter.refuse();
  }

  /** The state as `forHost` or another peer with `identity` sees it. */
  view(forHost: boolean, identity: string): RoomControlsView {
    this.#load();
    return {
      locked: this.#locked,
      lobbyEnabled: this.#lobbyEnabled,
      hands: [...this.#hands.values()],
      lobby: forHost ? [...this.#lobby.values()].map(({ id, displayName, guest, since }) => ({ id, displayName, guest, since })) : [],
      myLocks: [...(this.#mediaLocks.get(identity) ?? [])],
    };
  }

  /** Whether the persisted state has been read (the synchronous accessors need it). */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Reads the persisted state once (concurrent calls share the read); rejects UNAVAILABLE (fail
   * closed: no ban unknown) while it cannot, and a later call tries again.
   */
  load(): Promise<void> {
    if (this.#loaded || !this.#persistence) return Promise.resolve();
    this.#loading ??= this.#read(this.#persistence).finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Every write through so far has ended (failures are faults, never a rejection here). */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /**
   * NODE-2, several nodes: the room is not live here and another node may have changed its
   * persisted state since this node read it; read it again (after this node's own writes) and
   * replace what was read before. Live parts (hands, lobby waiters) stay.
   */
  async refresh(): Promise<void> {
    const persistence = this.#persistence;
    if (!persistence || !this.#loaded) return this.load();
    await this.#writes;
    const state = await this.#fetch(persistence);
    for (const set of [this.#bannedIdentities, this.#bannedTokens, this.#flaggedAddresses]) set.clear();
    this.#roles.clear();
    this.#mediaLocks.clear();
    this.#apply(state);
  }

  async #fetch(persistence: ModerationPersistence): Promise<PersistedModeration> {
    try {
      return await persistence.store.load(this.roomId);
    } catch (error) {
      persistence.faults.record(MODERATION_STORE_FAULT, error, { room: this.roomId, op: 'load' });
      throw new AppError('UNAVAILABLE', 'the moderation state of this room cannot be read');
    }
  }

  async #read(persistence: ModerationPersistence): Promise<void> {
    const state = await this.#fetch(persistence);
    // A change made meanwhile (never: every way in awaits load first) would not be overwritten.
    if (this.#loaded) return;
    this.#apply(state);
  }

  #apply(state: PersistedModeration): void {
    this.#locked = state.locked;
    this.#lobbyEnabled = state.lobbyEnabled;
    for (const identity of state.bannedIdentities) addCapped(this.#bannedIdentities, identity, MODERATION_LIMITS.maxBansPerRoom);
    for (const tokenId of state.bannedTokens) addCapped(this.#bannedTokens, tokenId, MODERATION_LIMITS.maxBansPerRoom);
    for (const [identity, role] of state.roles) {
      if (!this.#roles.has(identity)) evictOldest(this.#roles, MODERATION_LIMITS.maxRolesPerRoom);
      this.#roles.set(identity, role);
    }
    for (const [identity, source] of state.mediaLocks) this.#lockInMemory(identity, source);
    for (const address of state.flaggedAddresses) addCapped(this.#flaggedAddresses, address, ACCESS_LIMITS.maxFlaggedAddressesPerRoom);
    this.#loaded = true;
  }

  /** Adds a lock (the oldest locked identity released beyond the cap); false if it was there. */
  #lockInMemory(identity: string, source: ModeratedSource): boolean {
    let set = this.#mediaLocks.get(identity);
    if (!set) {
      evictOldest(this.#mediaLocks, MODERATION_LIMITS.maxMediaLockedIdentitiesPerRoom);
      this.#mediaLocks.set(identity, (set = new Set()));
    }
    if (set.has(source)) return false;
    set.add(source);
    return true;
  }

  #saveFlags(): void {
    const flags = { locked: this.#locked, lobbyEnabled: this.#lobbyEnabled };
    this.#save('flags', (store) => store.setFlags(this.roomId, flags));
  }

  /**
   * Writes a change through. A failure does not undo it (a host's removal or lock must hold in
   * the live meeting, whatever the disk does): it is recorded as a fault, and only a restart
   * before the next successful write of the same entry would forget it (MOD-10).
   */
  #save(op: string, write: (store: ModerationStore) => Promise<void>): void {
    const persistence = this.#persistence;
    if (!persistence) return;
    this.#writes = this.#writes
      .then(() => write(persistence.store))
      .catch((error: unknown) => persistence.faults.record(MODERATION_STORE_FAULT, error, { room: this.roomId, op }));
  }

  /** The synchronous accessors' guard: UNAVAILABLE until `load()` has read the persisted state. */
  #load(): void {
    if (this.#loaded || !this.#persistence) return;
    throw new AppError('UNAVAILABLE', 'the moderation state of this room is not read yet');
  }

  #take(id: string): LobbyWaiter {
    const waiter = this.#lobby.get(id);
    if (!waiter) throw new AppError('NOT_FOUND', 'nobody with this id is waiting in the lobby');
    this.#lobby.delete(id);
    this.emit('changed');
    return waiter;
  }
}

/** Adds `value` to an insertion-ordered set, forgetting the oldest entries beyond `max`. */
function addCapped(set: Set<string>, value: string, max: number): void {
  if (set.has(value)) return;
  evictOldest(set, max);
  set.add(value);
}

/** Makes room for one more entry: deletes the oldest while the collection is at `max`. */
function evictOldest(collection: Set<string> | Map<string, unknown>, max: number): void {
  while (collection.size >= max) {
    const oldest = collection.keys().next().value;
    if (oldest === undefined) return;
    collection.delete(oldest);
  }
}
