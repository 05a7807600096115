import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import type { MediaParticipant, ProducerView } from './MediaParticipant.js';
import { MediaPeer, type MediaPlacement } from './MediaPeer.js';
import type { ProducerAppData } from './MediaPeerTypes.js';
import { RecordingTap, type RecordingTapTarget } from './RecordingTap.js';
import { AnnexSpan } from './remote/AnnexSpan.js';
import { IMPORT_ALL, IMPORT_IDLE, IMPORT_UNUSED, ImportDemand, type NodeImports } from './remote/ImportDemand.js';
import type { NodeChannel } from './remote/NodeChannel.js';
import type { NodePipes } from './remote/NodePipes.js';
import type { RemoteMediaPeer } from './remote/RemoteMediaPeer.js';
import type { NodePipeOptions } from './remote/ShardLink.js';
import { SpeakerDetector } from './SpeakerDetector.js';
import { toAppError } from './toAppError.js';
import type { WorkerPool } from './WorkerPool.js';

export type MediaRoomEvents = {
  close: [];
  /** A participant started producing (any peer of the room, local or on the annex). */
  newproducer: [producer: ProducerView];
  /** A participant's producer closed. */
  producerclose: [producer: ProducerView];
  /**
   * SPAN-7: the room's span onto its annex ended: the channel to it is gone (its participants'
   * media closed, each emitting `close`), its last participant there left, or the room closed.
   * The channel is spent: a later participant on that node needs a new one.
   */
  annexclose: [nodeId: string];
};

export interface MediaRoomOptions {
  /** SPAN-3: where this room's pipes to its annex listen (default: the pool's media address). */
  nodePipes?: NodePipeOptions;
  /** SPAN-3: how long after its last use here a producer piped from the other node is released (default 5 s). */
  pipeReleaseMs?: number;
}

/**
 * One room's media. It starts with one router on the least loaded worker; when that worker is
 * busy, new participants get a router of the room on another worker, and producers are piped
 * between the room's routers on demand (pipeToRouter), so that one room can outgrow one core.
 * Placement rules PLACE-1…3 are in docs/spec/media.md.
 */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly id: string;
  /** The first router: its worker holds the speaker detection; its capabilities are the room's. */
  readonly router: types.Router;
  readonly workerIndex: number;
  /** Active speaker and audio levels of the room. */
  readonly speakers: SpeakerDetector;
  readonly #pool: WorkerPool;
  /** The room's routers by worker index (the first one included). */
  readonly #routers = new Map<number, Promise<MediaPlacement>>();
  readonly #peers = new Map<string, MediaPeer | RemoteMediaPeer>();
  /** SPAN-2, on the home: the participants whose media is on the room's annex. */
  readonly #span: AnnexSpan;
  /** SPAN-2, in a shard: the home's producers piped here (consumable as the room's own). */
  #shardImports?: NodeImports;
  /** SPAN-3: what crosses from the other node follows what is used and watched here. */
  readonly #demand: ImportDemand;
  /** Producer id → its recording taps open here. */
  readonly #taps = new Map<string, number>();
  /** `${producerId}:${routerId}` → the pipe in progress or done. */
  readonly #pipes = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(id: string, pool: WorkerPool, first: MediaPlacement, speakers: SpeakerDetector, options: MediaRoomOptions) {
    super();
    this.id = id;
    this.#pool = pool;
    this.#demand = new ImportDemand({
      imports: () => this.#imports,
      demand: (producer) => this.#demandOf(producer),
      releaseAfterMs: options.pipeReleaseMs ?? 5_000,
    });
    this.router = first.router;
    this.workerIndex = first.workerIndex;
    this.speakers = speakers;
    this.#routers.set(first.workerIndex, Promise.resolve(first));
    this.#watch(first.router);
    this.#span = new AnnexSpan({
      router: this.router,
      speakers,
      nodePipes: options.nodePipes ?? pool.mediaAddress,
      findProducer: (id) => this.findProducer(id),
      localProducer: (id) => this.localProducer(id),
      toFirstRouter: (id) => this.#pipeTo(id, this.router),
      newProducer: (producer) => this.emit('newproducer', producer),
      producerClosed: (producer) => !this.#closed && this.emit('producerclose', producer),
      ended: (nodeId) => this.emit('annexclose', nodeId),
    });
  }

  static async create(pool: WorkerPool, roomId: string, options: MediaRoomOptions = {}): Promise<MediaRoom> {
    const { router, host } = await pool.createRouter({ roomId });
    try {
      const first = { router, webRtcServer: host.webRtcServer, workerIndex: host.index };
      return new MediaRoom(roomId, pool, first, await SpeakerDetector.create(router), options);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /** Participants whose media is on this node (not those on the annex): SPAN-5's count. */
  get localPeerCount(): number {
    let count = 0;
    for (const peer of this.#peers.values()) if (peer instanceof MediaPeer) count++;
    return count;
  }

  /** SPAN-3, on the home: the pipes to the room's annex, while it spans one (metrics read their transport). */
  get annexPipes(): NodePipes | undefined {
    return this.#span.link?.pipes;
  }

  /** Worker indexes hosting this room's routers. */
  get workerIndexes(): number[] {
    return [...this.#routers.keys()];
  }

  /**
   * A participant's media: here (a MediaPeer), or with `annex`, on that node in the room's shard
   * (a RemoteMediaPeer, SPAN-2). A room spans at most one annex at a time (SPAN-5).
   */
  createPeer(peerId: string): MediaPeer;
  createPeer(peerId: string, options: { annex?: NodeChannel }): MediaParticipant;
  createPeer(peerId: string, options: { annex?: NodeChannel } = {}): MediaParticipant {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    if (this.#peers.has(peerId)) throw new AppError('ALREADY_JOINED', 'peer already in the room');
    return options.annex ? this.#createRemotePeer(peerId, options.annex) : this.#createLocalPeer(peerId);
  }

  #createLocalPeer(peerId: string): MediaPeer {
    const peer = new MediaPeer(peerId, {
      place: () => this.#place(),
      findProducer: (id) => this.findProducer(id),
      pipeTo: (producerId, router) => this.#pipeTo(producerId, router),
      consumersChanged: () => this.#demand.check(),
      sharedTcpPort: this.#pool.sharedTcpPort,
    });
    this.#peers.set(peerId, peer);
    peer.on('newproducer', (producer) => {
      this.emit('newproducer', producer);
      producer.observer.once('close', () => {
        if (!this.#closed) this.emit('producerclose', producer);
      });
      if (producer.appData.source === 'microphone') {
        // Speaker detection runs on the first router: bring microphones of other routers there.
        void this.#pipeTo(producer.id, this.router)
          .then(() => this.speakers.addProducer(producer))
          .catch(() => undefined);
      }
    });
    peer.once('close', () => {
      if (this.#peers.get(peerId) === peer) this.#peers.delete(peerId);
      this.#demand.check(); // SPAN-3: its consumers may have been the last of an import
    });
    return peer;
  }

  #createRemotePeer(peerId: string, channel: NodeChannel): RemoteMediaPeer {
    const peer = this.#span.createPeer(peerId, channel);
    this.#peers.set(peerId, peer);
    peer.once('close', () => {
      if (this.#peers.get(peerId) === peer) this.#peers.delete(peerId);
    });
    return peer;
  }

  /**
   * In a media shard (SPAN-2): the producers of the home piped into this room's first router
   * (its NodePipes), which its participants consume as the room's own.
   */
  setImports(imports: NodeImports): void {
    this.#shardImports = imports;
  }

  /** Producers piped here from the other node: the annex's on the home, the home's in a shard. */
  get #imports(): NodeImports | undefined {
    return this.#span.link?.pipes ?? this.#shardImports;
  }

  /** What the source of an import was last asked (SPAN-3): IMPORT_IDLE (-1), a layer, or undefined (everything). */
  importDemand(producerId: string): number | undefined {
    return this.#demand.asked(producerId);
  }

  /**
   * SPAN-3: what this node wants of a producer piped from the other node: IMPORT_UNUSED (release
   * it), IMPORT_IDLE (used, but every consumer paused), or the highest layer a consumer prefers.
   */
  #demandOf(producer: types.Producer<ProducerAppData>): number {
    // The home keeps the annex's microphones for speaker detection (SPAN-3's exception).
    if (this.#span.link && producer.appData.source === 'microphone') return IMPORT_ALL;
    if (this.#taps.has(producer.id)) return IMPORT_ALL;
    let demand = IMPORT_UNUSED;
    for (const peer of this.#peers.values()) {
      if (!(peer instanceof MediaPeer)) continue;
      for (const c of peer.consumers.values()) {
        if (c.producerId !== producer.id) continue;
        demand = Math.max(demand, c.paused ? IMPORT_IDLE : (c.preferredLayers?.spatialLayer ?? IMPORT_ALL));
      }
    }
    return demand;
  }

  /** A producer of the room: a participant's (a view when it lives on the annex), or one imported from the home. */
  findProducer(producerId: string): ProducerView | undefined {
    for (const peer of this.#peers.values()) {
      const p = peer.producers.get(producerId);
      if (p) return p;
    }
    return this.#shardImports?.imported.get(producerId);
  }

  /** A producer of a participant whose media is on this node. */
  localProducer(producerId: string): types.Producer<ProducerAppData> | undefined {
    for (const peer of this.#peers.values()) {
      const p = peer instanceof MediaPeer ? peer.producers.get(producerId) : undefined;
      if (p) return p;
    }
    return undefined;
  }

  /** Every producer of the room (all participants, on either node). */
  producers(): ProducerView[] {
    return [...this.#peers.values()].flatMap((peer) => [...peer.producers.values()]);
  }

  /**
   * Sends one producer to a recorder as plain RTP (paused until the tap is resumed). A producer
   * on the annex is piped here first (SPAN-3: a recording taps at home).
   */
  async createRecordingTap(producerId: string, listenIp: string, target: RecordingTapTarget): Promise<RecordingTap> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    const owner = this.#ownerOf(producerId);
    const local = owner instanceof MediaPeer ? owner.producers.get(producerId) : undefined;
    if (owner instanceof MediaPeer && local) return RecordingTap.create(owner.placement?.router ?? this.router, local, listenIp, target);
    const link = this.#span.link;
    if (!owner || !link) throw new AppError('NOT_FOUND', 'no such producer in this room');
    const imported = await link.importProducer(producerId).catch((e) => {
      throw toAppError(e, 'could not bring the producer from the media node');
    });
    const tap = await RecordingTap.create(this.router, imported, listenIp, target);
    this.#taps.set(producerId, (this.#taps.get(producerId) ?? 0) + 1);
    tap.once('close', () => {
      const left = (this.#taps.get(producerId) ?? 1) - 1;
      if (left > 0) this.#taps.set(producerId, left);
      else this.#taps.delete(producerId);
      this.#demand.check();
    });
    this.#demand.check();
    return tap;
  }

  /**
   * PLACE-1: a participant goes to the room's router on the least loaded of the room's workers,
   * unless all of them are busy. PLACE-2: then the room opens a router on the least loaded worker
   * it does not use yet, if that one is not busy; otherwise the least loaded of its own.
   */
  async #place(): Promise<MediaPlacement> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    const mine = (await Promise.all(this.#routers.values())).filter((p) => !p.router.closed);
    const load = (p: MediaPlacement) => this.#pool.workers[p.workerIndex]?.consumers ?? Infinity;
    const best = mine.sort((a, b) => load(a) - load(b))[0];
    if (best && !this.#pool.isBusy(best.workerIndex)) return best;
    const other = this.#pool.leastLoaded(new Set(this.#routers.keys()));
    if (!other || this.#pool.isBusy(other.index)) {
      if (best) return best;
      throw new AppError('UNAVAILABLE', 'no media worker can host this participant');
    }
    const opening = this.#pool.createRouter({ roomId: this.id }, other).then(({ router, host }) => {
      if (this.#closed) {
        router.close();
        throw new AppError('UNAVAILABLE', 'the room is closing');
      }
      this.#watch(router);
      return { router, webRtcServer: host.webRtcServer, workerIndex: host.index };
    });
    this.#routers.set(other.index, opening);
    opening.catch(() => this.#routers.delete(other.index));
    return opening;
  }

  /**
   * PLACE-3: a producer is piped to another router of the room once, when first needed there. A
   * producer of the annex is first piped to this node's first router (SPAN-3), and from there.
   */
  async #pipeTo(producerId: string, router: types.Router): Promise<void> {
    const source = await this.#routerOf(producerId);
    if (source === router) return;
    const key = `${producerId}:${router.id}`;
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      pipe = source.pipeToRouter({ producerId, router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => this.#pipes.delete(key));
      });
      pipe.catch(() => this.#pipes.delete(key));
      this.#pipes.set(key, pipe);
    }
    return pipe;
  }

  /** The router of this node where a producer of the room is (an annex's is imported first). */
  async #routerOf(producerId: string): Promise<types.Router> {
    const owner = this.#ownerOf(producerId);
    if (owner instanceof MediaPeer) {
      if (owner.placement) return owner.placement.router;
    } else if (owner && this.#span.link) {
      await this.#span.link.importProducer(producerId);
      return this.router;
    } else if (this.#shardImports?.imported.has(producerId)) return this.router;
    throw new AppError('NOT_FOUND', 'no such producer in this room');
  }

  /** Brings a producer of this node to the room's first router (a shard does, before the home imports it). */
  async toFirstRouter(producerId: string): Promise<void> {
    if (!this.localProducer(producerId)) throw new AppError('NOT_FOUND', 'no such producer in this room');
    await this.#pipeTo(producerId, this.router);
  }

  #ownerOf(producerId: string): MediaPeer | RemoteMediaPeer | undefined {
    for (const peer of this.#peers.values()) if (peer.producers.has(producerId)) return peer;
    return undefined;
  }

  /** A router of the room closing on its own (its worker died) ends the room. */
  #watch(router: types.Router): void {
    router.observer.once('close', () => this.close());
  }

  /** Closes every peer and every router of the room. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#demand.close();
    this.#span.close(); // tells the shard; its participants close here (SPAN-2)
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.speakers.close();
    for (const placement of this.#routers.values()) void placement.then((p) => p.router.close()).catch(() => undefined);
    this.#routers.clear();
    this.#pipes.clear();
    this.emit('close');
    this.removeAllListeners();
  }
}
