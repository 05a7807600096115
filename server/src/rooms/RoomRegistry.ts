import { EventEmitter } from 'node:events';
import { MediaRoom, type NodeChannel, type NodePipes, type WorkerPool } from '@nomades/sfu';
import type { Role, RoomInfo } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { RoomControls, type ModerationPersistence } from '../moderation/RoomControls.js';
import { PollPublisher } from '../polls/PollPublisher.js';
import type { PollStorage } from '../polls/PollStorage.js';
import { RoomPolls } from '../polls/RoomPolls.js';
import { RoomQuestions } from '../polls/RoomQuestions.js';
import { LOCAL_MEDIA, type MediaSpread } from '../span/MediaSpread.js';
import type { RoomStore } from '../store/RoomStore.js';
import { Room } from './Room.js';
import { safeEmit } from './safeEmit.js';

export type RoomRegistryEvents = {
  /** A room was opened (its first join); listen to the room's own events from here. */
  roomopened: [room: Room];
  /** A host removed an identity from a room (MOD-4), live or not. */
  banned: [roomId: string, identity: string, tokenId: string | undefined];
  /** A host changed an identity's role in a room (MOD-6). */
  rolechanged: [roomId: string, identity: string, role: Role];
};

/** The live rooms of this node, opened on demand; concurrent opens of one room share one promise. */
export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly #log: Logger;
  readonly #rooms = new Map<string, Room>();
  readonly #opening = new Map<string, Promise<Room>>();
  readonly #controls = new Map<string, RoomControls>();
  readonly #moderation?: ModerationPersistence;
  /** POLL-9: where rooms' polls and questions are kept (memory only without it). */
  readonly polls?: PollStorage;
  #closed = false;
  /** Several nodes share the moderation store (NODE-2): state read while a room is not live here is read again. */
  readonly #sharedStore: boolean;
  /** SIG-13: how long a room keeps a participant whose socket was lost. */
  readonly resumeGraceMs: number;
  /** SPAN-3: NODE_PIPE_TRUSTED (no SRTP between the nodes). */
  readonly #pipesTrusted: boolean;
  #spread: MediaSpread = LOCAL_MEDIA;

  constructor(pool: WorkerPool, store: RoomStore, log: Logger, options: { resumeGraceMs?: number; moderation?: ModerationPersistence; polls?: PollStorage; sharedStore?: boolean; pipesTrusted?: boolean } = {}) {
    super();
    this.#pipesTrusted = options.pipesTrusted ?? false;
    this.#sharedStore = options.sharedStore ?? false;
    this.resumeGraceMs = options.resumeGraceMs ?? 0;
    this.#pool = pool;
    this.#log = log;
    this.#moderation = options.moderation;
    this.polls = options.polls;
    store.on('updated', (info) => this.#rooms.get(info.id)?.updateInfo(info));
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** SPAN-5: participants whose media is on this node (those on a room's annex count there). */
  get participantCount(): number {
    let count = 0;
    for (const room of this.#rooms.values()) if (!room.closed) count += room.media.localPeerCount;
    return count;
  }

  /** SPAN-3: the pipes of this node's live rooms to their annexes (the rooms homed here that span one). */
  *annexPipes(): Generator<NodePipes> {
    for (const room of this.#rooms.values()) {
      const pipes = room.closed ? undefined : room.media.annexPipes;
      if (pipes) yield pipes;
    }
  }

  /** SPAN-5: set once by the composition root when several nodes may share a room's media. */
  useSpread(spread: MediaSpread): void {
    this.#spread = spread;
  }

  /** SPAN-5: where the media of a participant joining `room` goes (undefined: here). */
  annexFor(room: Room): Promise<NodeChannel | undefined> {
    return this.#spread.annexFor(room);
  }

  get(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  /** The moderation state of a room, live or not (created on first use; persisted with `moderation`, MOD-10). */
  controls(roomId: string): RoomControls {
    let controls = this.#controls.get(roomId);
    if (!controls) {
      this.#controls.set(roomId, (controls = new RoomControls(roomId, this.#moderation)));
      controls.on('banned', (identity, tokenId) => safeEmit(this, 'banned', [roomId, identity, tokenId], this.#log, { room: roomId }));
      controls.on('rolechanged', (identity, role) => safeEmit(this, 'rolechanged', [roomId, identity, role], this.#log, { room: roomId }));
    }
    return controls;
  }

  /**
   * The moderation state of a room, read from the store (MOD-10): what every way into a room
   * awaits before its synchronous checks. Rejects UNAVAILABLE while the store cannot be read.
   */
  async loadControls(roomId: string): Promise<RoomControls> {
    const controls = this.controls(roomId);
    // Several nodes: while the room is not live here, another node may have changed its state.
    if (this.#sharedStore && !this.#rooms.get(roomId) && !this.#opening.has(roomId)) await controls.refresh();
    else await controls.load();
    return controls;
  }

  /** Who is in a room or waiting in its lobby on this node (ROOM-7 refuses to delete it then). */
  occupants(roomId: string): number {
    const room = this.#rooms.get(roomId);
    const present = room && !room.closed ? room.peerCount : 0;
    const controls = this.#controls.get(roomId);
    return present + (controls ? controls.lobbySize : 0) + (this.#opening.has(roomId) ? 1 : 0);
  }

  /** Forgets a deleted room (ROOM-7): closes its empty live room and drops its cached moderation state. */
  forget(roomId: string): void {
    this.#rooms.get(roomId)?.close();
    this.#controls.delete(roomId);
  }

  async open(info: RoomInfo): Promise<Room> {
    const live = this.#rooms.get(info.id);
    if (live && !live.closed) return live;
    const pending = this.#opening.get(info.id);
    if (pending) return pending;
    const promise = this.#create(info).finally(() => this.#opening.delete(info.id));
    this.#opening.set(info.id, promise);
    return promise;
  }

  async #create(info: RoomInfo): Promise<Room> {
    const controls = await this.loadControls(info.id);
    // POLL-9: the room's polls and questions as its last meeting left them (after its last writes).
    const stored = this.polls ? await this.polls.load(info.id) : { polls: [], ballots: [], questions: [], upvotes: [] };
    const polls = new RoomPolls(info.id, stored, this.polls);
    const questions = new RoomQuestions(info.id, stored, this.polls);
    const log = this.#log.child({ room: info.id });
    const media = await MediaRoom.create(this.#pool, info.id, { nodePipes: { ...this.#pool.mediaAddress, trusted: this.#pipesTrusted, logger: log } });
    const room = new Room(info, media, log, controls, { resumeGraceMs: this.resumeGraceMs, polls, questions });
    const publisher = new PollPublisher(room, polls, questions);
    this.#rooms.set(info.id, room);
    room.once('close', () => {
      publisher.close();
      if (this.#rooms.get(info.id) === room) this.#rooms.delete(info.id);
      if (controls.pristine && this.#controls.get(info.id) === controls) this.#controls.delete(info.id);
    });
    log.info({ worker: media.workerIndex }, 'room opened');
    safeEmit(this, 'roomopened', [room], log, { room: info.id });
    if (this.#closed) room.close();
    return room;
  }

  /** AUTH-11/12: the participants whose token has one of these `sid` claims leave (SESSION_ENDED, final). */
  endSessions(sids: ReadonlySet<string>): void {
    for (const room of [...this.#rooms.values()]) {
      if (room.closed) continue;
      for (const peer of [...room.peers()]) if (peer.sessionId !== undefined && sids.has(peer.sessionId)) peer.kick('SESSION_ENDED', 'your session ended');
    }
  }

  /** Every moderation write started so far has ended (the store closes after them). */
  async flushed(): Promise<void> {
    await Promise.all([...this.#controls.values()].map((c) => c.flushed()));
    await this.polls?.allIdle();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close();
    this.#rooms.clear();
  }
}
