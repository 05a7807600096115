import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { MediaPeer } from './MediaPeer.js';
import type { ProducerAppData } from './MediaPeerTypes.js';
import type { WorkerPool } from './WorkerPool.js';

export type MediaRoomEvents = {
  close: [];
};

/** One room's media: a router on one worker, and the media peers in it. */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly id: string;
  readonly router: types.Router;
  readonly workerIndex: number;
  readonly #webRtcServer: types.WebRtcServer;
  readonly #peers = new Map<string, MediaPeer>();
  #closed = false;

  private constructor(id: string, router: types.Router, webRtcServer: types.WebRtcServer, workerIndex: number) {
    super();
    this.id = id;
    this.router = router;
    this.#webRtcServer = webRtcServer;
    this.workerIndex = workerIndex;
    router.observer.once('close', () => this.close());
  }

  static async create(pool: WorkerPool, roomId: string): Promise<MediaRoom> {
    const { router, host } = await pool.createRouter({ roomId });
    return new MediaRoom(roomId, router, host.webRtcServer, host.index);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  createPeer(peerId: string): MediaPeer {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the room is closing');
    if (this.#peers.has(peerId)) throw new AppError('ALREADY_JOINED', 'peer already in the room');
    const peer = new MediaPeer(peerId, {
      router: this.router,
      webRtcServer: this.#webRtcServer,
      findProducer: (id) => this.findProducer(id),
    });
    this.#peers.set(peerId, peer);
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

  /** Closes every peer and the router. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.router.close();
    this.emit('close');
    this.removeAllListeners();
  }
}
