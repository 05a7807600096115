import { EventEmitter } from 'node:events';
import {
  AppError,
  MODERATION_LIMITS,
  type LobbyEntry,
  type ModeratedSource,
  type RaisedHand,
  type RoomControls as RoomControlsView,
} from '@nomades/shared';

/** A session waiting in the lobby (LOBBY-n): what hosts see, and how to answer it. */
export interface LobbyWaiter extends LobbyEntry {
  admit(): void;
  refuse(): void;
}

export type RoomControlsEvents = {
  /** Anything of the state below changed (peers are sent a fresh `roomControls`). */
  changed: [];
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
    return !this.#locked && !this.#lobbyEnabled && this.#bannedIdentities.size === 0 && this.#mediaLocks.size === 0 && this.#lobby.size === 0;
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
  }

  isBanned(identity: string, tokenId?: string): boolean {
    return this.#bannedIdentities.has(identity) || (tokenId !== undefined && this.#bannedTokens.has(tokenId));
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

  /** Adds a waiter; ROOM_FULL when the lobby is at its limit. */
  enterLobby(waiter: LobbyWaiter): void {
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
