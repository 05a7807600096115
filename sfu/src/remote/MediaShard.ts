import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  AppError,
  SHARD_CLOSE,
  SHARD_LIMITS,
  shardRequests,
  type ShardConsumer,
  type ShardEventData,
  type ShardEventName,
  type ShardProducer,
  type ShardRequestData,
  type ShardRequestName,
} from '@nomades/shared';
import { MediaPeer } from '../MediaPeer.js';
import type { ConsumerAppData, ProducerAppData } from '../MediaPeerTypes.js';
import { MediaRoom, type MediaRoomOptions } from '../MediaRoom.js';
import { toAppError } from '../toAppError.js';
import type { WorkerPool } from '../WorkerPool.js';
import type { NodeChannel } from './NodeChannel.js';
import { NodePipes } from './NodePipes.js';
import type { NodePipeOptions } from './ShardLink.js';

export interface MediaShardOptions extends NodePipeOptions, Pick<MediaRoomOptions, 'pipeReleaseMs'> {
  /** Participants this shard hosts at most (SHARD_LIMITS.maxPeers by default). */
  maxPeers?: number;
  /**
   * SPAN-5: whether this node takes one more media participant now (its NODE_MAX_PARTICIPANTS,
   * counted here, exactly: the home's view of this node's load is up to a heartbeat old).
   */
  admit?: () => boolean;
}

type Handlers = { [N in ShardRequestName]: (data: ShardRequestData<N>, room: MediaRoom) => unknown };

/**
 * SPAN-2, the annex's side of one room homed on another node: the room's media shard, a MediaRoom
 * on this node's workers with no Room above it. Over the room's node channel it serves the home's
 * `shard.*` requests (one per MediaParticipant method, each naming the participant), validated
 * with shared's schemas, answered with plain data, errors as AppErrors; it pushes its
 * participants' media events to the home. Its NodePipes to the home bring the home's producers
 * here (the MediaRoom consumes them as its own) and take the shard's there (SPAN-3).
 * It closes when the channel closes, when the home says `shard.close`, or when its media fails
 * (a worker died); closing closes its MediaRoom and pipes. Idempotent.
 */
export class MediaShard extends EventEmitter<{ close: [] }> {
  readonly roomId: string;
  readonly channel: NodeChannel;
  readonly #options: MediaShardOptions;
  /** The room's media here: created at once, in the background (requests wait for it). */
  readonly #ready: Promise<MediaRoom>;
  readonly #peers = new Map<string, MediaPeer>();
  #room?: MediaRoom;
  #pipes?: NodePipes;
  #closed = false;

  /**
   * Opens the shard of room `roomId` for the home at the other end of `channel` (the server calls
   * it when the home opens the room's channel). Its request handlers are registered at once.
   */
  constructor(pool: WorkerPool, roomId: string, channel: NodeChannel, options: MediaShardOptions) {
    super();
    this.roomId = roomId;
    this.channel = channel;
    this.#options = options;
    this.#ready = MediaRoom.create(pool, roomId, { nodePipes: options, pipeReleaseMs: options.pipeReleaseMs }).then((room) => this.#opened(room));
    this.#ready.catch(() => this.close());
    for (const method of Object.keys(shardRequests) as ShardRequestName[]) {
      channel.handle(method, (data) => this.#serve(method, data));
    }
    channel.on(SHARD_CLOSE, () => this.close());
    channel.onClose(() => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The shard's MediaRoom, once created. */
  get room(): MediaRoom | undefined {
    return this.#room;
  }

  /** The pipes to the home, once the room exists. */
  get pipes(): NodePipes | undefined {
    return this.#pipes;
  }

  /** The participants whose media is here. */
  get peers(): ReadonlyMap<string, MediaPeer> {
    return this.#peers;
  }

  /** Resolves once the shard's MediaRoom exists (rejects if it could not be created or the shard closed first). */
  ready(): Promise<MediaRoom> {
    return this.#ready;
  }

  #opened(room: MediaRoom): MediaRoom {
    if (this.#closed) {
      room.close();
      throw new AppError('UNAVAILABLE', 'the media shard is closed');
    }
    this.#room = room;
    const pipes = new NodePipes({
      router: room.router,
      channel: this.channel,
      listenIp: this.#options.listenIp,
      announcedIp: this.#options.announcedIp,
      trusted: this.#options.trusted,
      logger: this.#options.logger,
      findProducer: (id) => room.localProducer(id),
    });
    this.#pipes = pipes;
    room.setImports(pipes);
    // Either failing ends the span: the home sees the pipes end (and its participants close).
    room.once('close', () => this.close());
    pipes.once('close', () => this.close());
    return room;
  }

  readonly #handlers: Handlers = {
    'shard.createPeer': ({ peerId }, room) => this.#createPeer(peerId, room),
    'shard.closePeer': ({ peerId }) => (this.#peers.get(peerId)?.close(), {}),
    'shard.setRtpCapabilities': ({ peerId, rtpCapabilities }) => {
      this.#peer(peerId).setRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
      return {};
    },
    'shard.createTransport': ({ peerId, direction }) => this.#peer(peerId).createTransport(direction),
    'shard.restartIce': async ({ peerId, transportId }) => ({ iceParameters: await this.#peer(peerId).restartIce(transportId) }),
    'shard.connectTransport': async ({ peerId, transportId, dtlsParameters }) => {
      await this.#peer(peerId).connectTransport(transportId, dtlsParameters as types.DtlsParameters);
      return {};
    },
    'shard.produce': async ({ peerId, rtpParameters, ...options }) =>
      describeProducer(await this.#peer(peerId).produce({ ...options, rtpParameters: rtpParameters as types.RtpParameters })),
    'shard.closeProducer': ({ peerId, producerId }) => (this.#peer(peerId).closeProducer(producerId), {}),
    'shard.pauseProducer': async ({ peerId, producerId }) => describeProducer(await this.#peer(peerId).pauseProducer(producerId)),
    'shard.resumeProducer': async ({ peerId, producerId }) => describeProducer(await this.#peer(peerId).resumeProducer(producerId)),
    'shard.consume': async ({ peerId, transportId, producerId }, room) => {
      await this.#bringHome(room, [producerId]);
      return describeConsumer(await this.#peer(peerId).consume(transportId, producerId));
    },
    'shard.consumeMany': async ({ peerId, transportId, producerIds }, room) => {
      await this.#bringHome(room, producerIds);
      const { consumers, missing } = await this.#peer(peerId).consumeMany(transportId, producerIds);
      return { consumers: consumers.map(describeConsumer), missing };
    },
    'shard.resumeConsumers': async ({ peerId, consumerIds }) => ({ missing: await this.#peer(peerId).resumeConsumers(consumerIds) }),
    'shard.pauseConsumer': async ({ peerId, consumerId }) => (await this.#peer(peerId).pauseConsumer(consumerId), {}),
    'shard.resumeConsumer': async ({ peerId, consumerId }) => (await this.#peer(peerId).resumeConsumer(consumerId), {}),
    'shard.setConsumerLayers': async ({ peerId, consumerId, spatialLayer, temporalLayer }) => {
      await this.#peer(peerId).setConsumerLayers(consumerId, spatialLayer, temporalLayer);
      return {};
    },
    'shard.export': async ({ producerId }, room) => (await room.toFirstRouter(producerId), {}),
  };

  /**
   * A producer of the home that this shard released a moment ago may still look piped to the home
   * (its `pipe.released` crossing the home's pipeOut): it is pulled here again (`pipe.in` names the
   * released pipe, which the home then does not reuse). One the home does not have: the consume
   * answers NOT_FOUND as usual.
   */
  async #bringHome(room: MediaRoom, producerIds: string[]): Promise<void> {
    const pipes = this.#pipes;
    if (!pipes) return;
    const missing = producerIds.filter((id) => !room.localProducer(id) && !pipes.imported.has(id));
    await Promise.all(missing.map((id) => pipes.pipeIn(id).catch(() => undefined)));
  }

  /** One request of the home: validated, run once the room exists, any failure an AppError. */
  async #serve<N extends ShardRequestName>(method: N, data: unknown): Promise<unknown> {
    const parsed = shardRequests[method].request.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
      this.#options.logger?.warn({ room: this.roomId, method, node: this.channel.nodeId, issue: where }, 'refused a malformed shard request');
      throw new AppError('BAD_REQUEST', `${method}: ${where}`.slice(0, 300));
    }
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the media shard is closed');
    try {
      const room = await this.#ready;
      this.#assertOpen();
      const handler = this.#handlers[method] as (data: ShardRequestData<N>, room: MediaRoom) => unknown;
      return await handler(parsed.data as ShardRequestData<N>, room);
    } catch (error) {
      throw toAppError(error, method);
    }
  }

  #createPeer(peerId: string, room: MediaRoom): object {
    const max = this.#options.maxPeers ?? SHARD_LIMITS.maxPeers;
    if (this.#peers.size >= max) throw new AppError('ROOM_FULL', `this media node hosts at most ${max} participants of the room`, { max });
    if (this.#options.admit?.() === false) throw new AppError('ROOM_FULL', 'the service has no room left for another participant now: try again in a moment');
    const peer = room.createPeer(peerId); // ALREADY_JOINED if known
    this.#peers.set(peerId, peer);
    const push = <N extends ShardEventName>(name: N, data: ShardEventData<N>) => this.#send(name, data);
    peer.on('newproducer', (producer) => push('shard.newproducer', { peerId, producer: describeProducer(producer) }));
    peer.on('producerpaused', (p) => push('shard.producerpaused', { peerId, producerId: p.id }));
    peer.on('producerresumed', (p) => push('shard.producerresumed', { peerId, producerId: p.id }));
    peer.on('producerclosed', (p) => push('shard.producerclosed', { peerId, producerId: p.id }));
    peer.on('bitrateexceeded', (p, bitsPerSecond) => push('shard.bitrateexceeded', { peerId, producerId: p.id, bitsPerSecond }));
    peer.on('consumerclosed', (c) => push('shard.consumerclosed', { peerId, consumerId: c.id }));
    peer.on('scores', (scores) => push('shard.scores', { peerId, scores }));
    peer.once('close', () => {
      if (this.#peers.get(peerId) === peer) this.#peers.delete(peerId);
      push('shard.peerclosed', { peerId });
    });
    return {};
  }

  #peer(peerId: string): MediaPeer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new AppError('NOT_JOINED', 'no such participant in this media shard');
    return peer;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the media shard is closed');
  }

  #send(name: string, data: unknown): void {
    if (this.#closed) return;
    try {
      this.channel.send(name, data);
    } catch {
      // The channel is going away: its onClose closes this shard.
    }
  }

  /** Closes the shard's participants, pipes and MediaRoom (so its routers). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.#pipes?.close();
    this.#room?.close();
    this.#ready.then((room) => room.close(), () => undefined);
    this.emit('close');
    this.removeAllListeners();
  }
}

function describeProducer(p: types.Producer<ProducerAppData>): ShardProducer {
  return { id: p.id, kind: p.kind, paused: p.paused, appData: { peerId: p.appData.peerId, source: p.appData.source } };
}

function describeConsumer(c: types.Consumer<ConsumerAppData>): ShardConsumer {
  return {
    id: c.id,
    producerId: c.producerId,
    kind: c.kind,
    rtpParameters: c.rtpParameters as ShardConsumer['rtpParameters'],
    paused: c.paused,
    producerPaused: c.producerPaused,
    appData: { peerId: c.appData.peerId, producerPeerId: c.appData.producerPeerId, source: c.appData.source },
  };
}
