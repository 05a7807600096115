import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { MediaPeer, type MediaPlacement } from './MediaPeer.js';
import type { ProducerAppData } from './MediaPeerTypes.js';
import { RecordingTap, type RecordingTapTarget } from './RecordingTap.js';
import { SpeakerDetector } from './SpeakerDetector.js';
import type { WorkerPool } from './WorkerPool.js';

export type MediaRoomEvents = {
  close: [];
  /** A participant started producing (any peer of the room). */
  newproducer: [producer: types.Producer<ProducerAppData>];
  /** A participant's producer closed. */
  producerclose: [producer: types.Producer<ProducerAppData>];
};

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
  readonly #peers = new Map<string, MediaPeer>();
  /** `${producerId}:${routerId}` → the pipe in progress or done. */
  readonly #pipes = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(id: string, pool: WorkerPool, first: MediaPlacement, speakers: SpeakerDetector) {
    super();
    this.id = id;
    this.#pool = pool;
    this.router = first.router;
    this.workerIndex = first.workerIndex;
    this.speakers = speakers;
    this.#routers.set(first.workerIndex, Promise.resolve(first));
    this.#watch(first.router);
  }

  static async create(pool: WorkerPool, roomId: string): Promise<MediaRoom> {
    const { router, host } = await pool.createRouter({ roomId });
    try {
      const first = { router, webRtcServer: host.webRtcServer, workerIndex: host.index };
      return new MediaRoom(roomId, pool, first, await SpeakerDetector.create(router));
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

  /** Worker indexes hosting this room's routers. */
  get workerIndexes(): number[] {
    return [...this.#routers.keys()];
  }

  createPeer(peerId: string): MediaPeer {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    if (this.#peers.has(peerId)) throw new AppError('ALREADY_JOINED', 'peer already in the room');
    const peer = new MediaPeer(peerId, {
      place: () => this.#place(),
      findProducer: (id) => this.findProducer(id),
      pipeTo: (producerId, router) => this.#pipeTo(producerId, router),
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
    peer.once('close', () => this.#peers.delete(peerId));
    return peer;
  }

  findProducer(producerId: string): types.Producer<ProducerAppData> | undefined {
    for (const peer of this.#peers.values()) {
      const p = peer.producers.get(producerId);
      if (p) return p;
    }
    return undefined;
  }

  /** Every producer of the room (all peers). */
  producers(): Array<types.Producer<ProducerAppData>> {
    return [...this.#peers.values()].flatMap((peer) => [...peer.producers.values()]);
  }

  /** Sends one producer to a recorder as plain RTP (paused until the tap is resumed). */
  async createRecordingTap(producerId: string, listenIp: string, target: RecordingTapTarget): Promise<RecordingTap> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    const producer = this.findProducer(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'no such producer in this room');
    return RecordingTap.create(this.#ownerOf(producerId)?.placement?.router ?? this.router, producer, listenIp, target);
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

  /** PLACE-3: a producer is piped to another router of the room once, when first needed there. */
  #pipeTo(producerId: string, router: types.Router): Promise<void> {
    const owner = this.#ownerOf(producerId)?.placement?.router;
    if (!owner) return Promise.reject(new AppError('NOT_FOUND', 'no such producer in this room'));
    if (owner === router) return Promise.resolve();
    const key = `${producerId}:${router.id}`;
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      pipe = owner.pipeToRouter({ producerId, router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => this.#pipes.delete(key));
      });
      pipe.catch(() => this.#pipes.delete(key));
      this.#pipes.set(key, pipe);
    }
    return pipe;
  }

  #ownerOf(producerId: string): MediaPeer | undefined {
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
