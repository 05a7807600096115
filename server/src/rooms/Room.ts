import { EventEmitter } from 'node:events';
import type { MediaRoom, NodeChannel } from '@nomades/sfu';
import { AppError, type NotificationData, type NotificationName, type Role, type RoomInfo } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RoomControls } from '../moderation/RoomControls.js';
import { RoomPolls } from '../polls/RoomPolls.js';
import { RoomQuestions } from '../polls/RoomQuestions.js';
import type { PeerLink } from './NotificationOutbox.js';
import { Peer } from './Peer.js';
import { safeEmit } from './safeEmit.js';
import type { TokenClaims } from '@nomades/shared';

export type RoomEvents = {
  /** The last peer left, or the media failed: the room is closed. */
  close: [];
  /** A peer was admitted (after the others were told). */
  peerjoined: [peer: Peer];
  /** A peer left or was removed (after its media closed). */
  peerleft: [peer: Peer];
  /** A peer's socket was lost; it is kept for the grace period (SIG-13). */
  peerdetached: [peer: Peer];
  /** A detached (or still attached) peer was resumed by a new socket (SIG-13). */
  peerresumed: [peer: Peer];
};

/**
 * A live meeting: the peers present and the room's media. Opened on the first join, closed
 * when the last peer leaves (rule ROOM-3) or when its media worker dies.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly id: string;
  #info: RoomInfo;
  readonly media: MediaRoom;
  readonly #peers = new Map<string, Peer>();
  readonly #log: Logger;
  /** Lock, lobby, bans, media locks and hands of this room (outlives the Room). */
  readonly controls: RoomControls;
  /** Polls and questions (POLL-n, QUESTION-n), read from the store when the meeting opened. */
  readonly polls: RoomPolls;
  readonly questions: RoomQuestions;
  readonly #onControlsChanged = (): void => this.sendControls();
  #closed = false;
  /** Set while a join replaces an older session, so that the room does not close in between. */
  #replacing = false;
  /** SIG-13: how long a detached peer is kept, and the timers that remove them after it. */
  readonly #graceMs: number;
  readonly #graceTimers = new Map<Peer, NodeJS.Timeout>();

  constructor(
    info: RoomInfo,
    media: MediaRoom,
    log: Logger,
    controls: RoomControls,
    options: { resumeGraceMs?: number; polls?: RoomPolls; questions?: RoomQuestions } = {},
  ) {
    super();
    this.polls = options.polls ?? new RoomPolls(info.id, { polls: [], ballots: [] });
    this.questions = options.questions ?? new RoomQuestions(info.id, { questions: [], upvotes: [] });
    this.#graceMs = options.resumeGraceMs ?? 0;
    this.id = info.id;
    this.#info = info;
    this.media = media;
    this.#log = log;
    this.controls = controls;
    controls.on('changed', this.#onControlsChanged);
    media.speakers.on('dominantspeaker', (peerId) => this.broadcast('activeSpeaker', { peerId }));
    media.speakers.on('volumes', (levels) => this.broadcast('audioLevels', { levels }));
    media.speakers.on('silence', () => this.broadcast('audioLevels', { levels: [] }));
    media.once('close', () => {
      if (this.#closed) return;
      this.#log.error('room media closed unexpectedly (worker died?)');
      for (const peer of this.#peers.values()) peer.kick('UNAVAILABLE', 'the media server for this room stopped');
      this.close();
    });
  }

  /** The room's settings (store row); updated live when an admin changes them. */
  get info(): RoomInfo {
    return this.#info;
  }

  updateInfo(info: RoomInfo): void {
    this.#info = info;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  peers(): IterableIterator<Peer> {
    return this.#peers.values();
  }

  getPeer(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /** Sends every peer the room's controls as it sees them (hosts see the lobby, MOD-9). */
  sendControls(only?: Peer): void {
    for (const peer of only ? [only] : this.#peers.values()) {
      peer.notify('roomControls', this.controls.view(peer.role === 'host', peer.identity));
    }
  }

  /**
   * Admits a participant (ROOM-1: capacity; ROOM-2: one session per identity, the newest wins).
   * Tells everyone else, and wires the peer's media events to notifications.
   */
  addPeer(options: { id: string; claims: TokenClaims; role?: Role; address?: string; link: PeerLink; annex?: NodeChannel }): Peer {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing, join again');
    this.#replacing = true;
    try {
      for (const other of [...this.#peers.values()]) {
        if (other.identity === options.claims.sub) {
          other.kick('ALREADY_JOINED', 'you joined this room from another window');
          this.removePeer(other);
        }
      }
    } finally {
      this.#replacing = false;
    }
    if (this.#peers.size >= this.info.maxParticipants) {
      throw new AppError('ROOM_FULL', `the room is full (${this.info.maxParticipants} participants)`, { max: this.info.maxParticipants });
    }
    // SPAN-2: the participant's media is here, or on the room's annex (SPAN-5 chose).
    const media = this.media.createPeer(options.id, { annex: options.annex });
    const peer: Peer = new Peer({ ...options, media, onOrphanKick: () => this.removePeer(peer) });
    if (options.annex) {
      // SPAN-7: media on the annex that ends without the room ending it (the annex died, its link
      // dropped, it refused): this participation is over; the client joins again and is placed anew.
      media.once('close', (refusal) => {
        if (peer.closed || this.#closed) return;
        // It refused a participant beyond its NODE_MAX_PARTICIPANTS (SPAN-5): the service is full now.
        if (refusal?.code === 'ROOM_FULL') peer.kick('ROOM_FULL', refusal.message);
        else peer.kick('UNAVAILABLE', 'the server carrying your media is gone: joining again');
      });
    }
    // The room tells everyone of a participant's media, whoever acted (the participant, a host, the SFU).
    media.on('newproducer', (producer) => {
      const { id: producerId, kind, paused } = producer;
      this.broadcast('newProducer', { peerId: peer.id, producerId, kind, source: producer.appData.source, paused }, peer.id);
    });
    media.on('producerpaused', (producer) => this.broadcast('producerPaused', { peerId: peer.id, producerId: producer.id }, peer.id));
    media.on('producerresumed', (producer) => this.broadcast('producerResumed', { peerId: peer.id, producerId: producer.id }, peer.id));
    media.on('producerclosed', (producer) => {
      this.broadcast('producerClosed', { peerId: peer.id, producerId: producer.id }, peer.id);
    });
    media.on('bitrateexceeded', (producer, bitsPerSecond) => {
      // MEDIA-3: the producer is closed by the SFU; say who and how much (refused client input).
      this.#log.warn({ peer: peer.id, producer: producer.id, source: producer.appData.source, bitsPerSecond }, 'producer closed: above its bitrate cap');
    });
    media.on('scores', (scores) => peer.notify('mediaScores', scores)); // MEDIA-4: to the owner only
    media.on('consumerclosed', (consumer) => {
      peer.notify('consumerClosed', { consumerId: consumer.id, producerId: consumer.producerId });
    });
    this.broadcast('peerJoined', { peer: peer.info() }, peer.id);
    this.#peers.set(peer.id, peer);
    this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer joined');
    this.sendControls(peer);
    this.#emit('peerjoined', peer);
    return peer;
  }

  /**
   * SIG-13: `link`, the peer's socket, was lost. The peer keeps its seat, media and state for the
   * grace period (the others see it as reconnecting), then is removed unless a new socket resumed
   * it. A late detach of a link already replaced by a resume does nothing.
   */
  detachPeer(peer: Peer, link: PeerLink): void {
    if (this.#peers.get(peer.id) !== peer || peer.link !== link) return;
    peer.detach(link);
    if (this.#graceMs <= 0) return this.removePeer(peer);
    clearTimeout(this.#graceTimers.get(peer));
    this.#graceTimers.set(
      peer,
      setTimeout(() => {
        this.#graceTimers.delete(peer);
        this.#log.info({ peer: peer.id }, 'reconnection grace period over');
        this.removePeer(peer);
      }, this.#graceMs),
    );
    this.broadcast('peerReconnecting', { peerId: peer.id }, peer.id);
    this.#log.info({ peer: peer.id, graceMs: this.#graceMs }, 'peer disconnected, kept for a resume');
    this.#emit('peerdetached', peer);
  }

  /**
   * SIG-13: a new socket resumes `peer` with its credential. Returns the notifications it missed
   * and a new credential, or null (wrong credential, peer gone, too far behind).
   */
  resumePeer(peer: Peer, resumeToken: string, lastSeq: number, link: PeerLink): ReturnType<Peer['resume']> {
    if (this.#closed || this.#peers.get(peer.id) !== peer) return null;
    const previous = peer.link;
    const resumed = peer.resume(resumeToken, lastSeq, link);
    if (!resumed) return null;
    clearTimeout(this.#graceTimers.get(peer));
    this.#graceTimers.delete(peer);
    // The replaced socket (if the server had not noticed its loss yet) ends without removing the peer.
    if (previous && previous !== link) previous.end('UNAVAILABLE', 'replaced by a resumed connection');
    this.broadcast('peerReconnected', { peerId: peer.id }, peer.id);
    this.#log.info({ peer: peer.id, missed: resumed.missed.length }, 'peer resumed');
    this.#emit('peerresumed', peer);
    return resumed;
  }

  /** Removes a participant: closes their media and tells the others. Closes the room when empty. */
  removePeer(peer: Peer): void {
    if (this.#peers.get(peer.id) !== peer) return;
    clearTimeout(this.#graceTimers.get(peer));
    this.#graceTimers.delete(peer);
    this.#peers.delete(peer.id);
    peer.close();
    this.broadcast('peerLeft', { peerId: peer.id });
    this.#log.info({ peer: peer.id, peers: this.#peers.size }, 'peer left');
    this.controls.setHand(peer.id, peer.displayName, false);
    this.#emit('peerleft', peer);
    if (this.#peers.size === 0 && !this.#replacing) this.close();
  }

  broadcast<N extends NotificationName>(name: N, data: NotificationData<N>, exceptPeerId?: string): void {
    for (const peer of this.#peers.values()) if (peer.id !== exceptPeerId) peer.notify(name, data);
  }

  /** Closes every peer and the media. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    this.controls.off('changed', this.#onControlsChanged);
    for (const peer of this.#peers.values()) {
      peer.close();
      this.controls.setHand(peer.id, peer.displayName, false);
      this.#emit('peerleft', peer);
    }
    this.#peers.clear();
    this.media.close();
    this.#log.info('room closed');
    this.#emit('close');
    this.removeAllListeners();
  }

  /** Emits to the room's listeners; a failing listener is logged and leaves the room as it is (7). */
  #emit<K extends keyof RoomEvents>(event: K, ...args: RoomEvents[K]): void {
    const peer = args[0] as Peer | undefined;
    safeEmit(this, event, args, this.#log, { room: this.id, peer: peer?.id });
  }
}
