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
 * live Room (a lock or a ban set before or between meetings holds). In memory: a restart forgets it.
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

  constructor(roomId: string) {
    super();
    this.roomId = roomId;
  }

  get locked(): boolean {
    return this.#locked;
  }

  get lobbyEnabled(): boolean {
    return this.#lobbyEnabled;
  }

  /** True when nothing is set: the registry may forget this room's controls. */
  get pristine(): boolean {
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

  setLocked(locked: boolean): void {
    if (this.#locked === locked) return;
    this.#locked = locked;
    this.emit('changed');
  }

  /** Turning the lobby off admits everyone waiting (LOBBY-4). */
  setLobbyEnabled(enabled: boolean): void {
    if (this.#lobbyEnabled === enabled) return;
    this.#lobbyEnabled = enabled;
    if (!enabled) for (const waiter of [...this.#lobby.values()]) this.admit(waiter.id);
    this.emit('changed');
  }

  ban(identity: string, tokenId?: string): void {
    if (this.#bannedIdentities.size >= MODERATION_LIMITS.maxBansPerRoom) {
      const oldest = this.#bannedIdentities.values().next().value;
      if (oldest !== undefined) this.#bannedIdentities.delete(oldest);
    }
    this.#bannedIdentities.add(identity);
    if (tokenId) {
      if (this.#bannedTokens.size >= MODERATION_LIMITS.maxBansPerRoom) {
        const oldest = this.#bannedTokens.values().next().value;
        if (oldest !== undefined) this.#bannedTokens.delete(oldest);
      }
      this.#bannedTokens.add(tokenId);
    }
    this.emit('banned', identity, tokenId);
  }

  isBanned(identity: string, tokenId?: string): boolean {
    return this.#bannedIdentities.has(identity) || (tokenId !== undefined && this.#bannedTokens.has(tokenId));
  }

  /** A role a host gave an identity (MOD-6): it holds over rejoins, like media locks. */
  setRoleOf(identity: string, role: Role): void {
    if (this.#roles.size >= MODERATION_LIMITS.maxBansPerRoom && !this.#roles.has(identity)) {
      const oldest = this.#roles.keys().next().value;
      if (oldest !== undefined) this.#roles.delete(oldest);
    }
    this.#roles.set(identity, role);
    this.emit('rolechanged', identity, role);
  }

  roleOf(identity: string): Role | undefined {
    return this.#roles.get(identity);
  }

  /** Remembers the address of a removed guest (ACCESS-6): guests from it wait in the lobby. */
  flagAddress(address: string): void {
    if (this.#flaggedAddresses.size >= ACCESS_LIMITS.maxFlaggedAddressesPerRoom) {
      const oldest = this.#flaggedAddresses.values().next().value;
      if (oldest !== undefined) this.#flaggedAddresses.delete(oldest);
    }
    this.#flaggedAddresses.add(address);
  }

  isFlagged(address: string | undefined): boolean {
    return address !== undefined && this.#flaggedAddresses.has(address);
  }

  /** Media locks are kept by identity: leaving and joining again does not lift them. */
  lockMedia(identity: string, source: ModeratedSource): void {
    let set = this.#mediaLocks.get(identity);
    if (!set) this.#mediaLocks.set(identity, (set = new Set()));
    if (set.has(source)) return;
    set.add(source);
    this.emit('changed');
  }

  unlockMedia(identity: string, source: ModeratedSource): void {
    const set = this.#mediaLocks.get(identity);
    if (!set?.delete(source)) return;
    if (set.size === 0) this.#mediaLocks.delete(identity);
    this.emit('changed');
  }

  isMediaLocked(identity: string, source: ModeratedSource): boolean {
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
    return {
      locked: this.#locked,
      lobbyEnabled: this.#lobbyEnabled,
      hands: [...this.#hands.values()],
      lobby: forHost ? [...this.#lobby.values()].map(({ id, displayName, guest, since }) => ({ id, displayName, guest, since })) : [],
      myLocks: [...(this.#mediaLocks.get(identity) ?? [])],
    };
  }

  #take(id: string): LobbyWaiter {
    const waiter = this.#lobby.get(id);
    if (!waiter) throw new AppError('NOT_FOUND', 'nobody with this id is waiting in the lobby');
    this.#lobby.delete(id);
    this.emit('changed');
    return waiter;
  }
}
