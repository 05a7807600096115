import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError, LIMITS, MEDIA_LIMITS, type MediaSource } from '@nomades/shared';
import { BitrateGuard } from './BitrateGuard.js';
import type { MediaParticipant, ProducerView } from './MediaParticipant.js';
import { ScoreReporter } from './ScoreReporter.js';
import { toAppError } from './toAppError.js';
import type {
  ConsumerAppData,
  MediaPeerEvents,
  ProducerAppData,
  TransportAppData,
  TransportDirection,
  TransportParams,
} from './MediaPeerTypes.js';
import type { SharedTcpPort } from './WorkerPoolTypes.js';

/** Where a peer's media lives: one router of the room, on one worker. */
export interface MediaPlacement {
  router: types.Router;
  webRtcServer: types.WebRtcServer;
  workerIndex: number;
}

export interface MediaPeerContext {
  /** Chooses the router of this peer (PLACE-1/2); called once, at its first transport. */
  place(): Promise<MediaPlacement>;
  /** Finds a producer of this room (any participant, local or on the annex) by id. */
  findProducer(producerId: string): ProducerView | undefined;
  /**
   * Makes a producer of another router consumable on `router` (pipeToRouter, PLACE-3; a producer
   * of the room's annex is first piped to this node, SPAN-3).
   */
  pipeTo(producerId: string, router: types.Router): Promise<void>;
  /** SPAN-3: some of this peer's consumers were resumed or want a higher layer (an import's pipe may have to carry more). */
  consumersChanged?: () => void;
  /** REACH-1: the HTTP port that also carries ICE-TCP, announced by every transport. */
  sharedTcpPort?: SharedTcpPort;
}

/**
 * The media side of one participant: its WebRTC transports and the producers and consumers on
 * them. Closing the peer closes its transports, which close their producers and consumers.
 * Incoming media is capped (docs/spec/media.md): declared bitrates per source at produce
 * (MEDIA-1), the send transport's incoming bitrate (MEDIA-2), measured bitrates (MEDIA-3).
 */
export class MediaPeer extends EventEmitter<MediaPeerEvents> implements MediaParticipant {
  readonly id: string;
  readonly #ctx: MediaPeerContext;
  readonly #transports = new Map<string, types.WebRtcTransport<TransportAppData>>();
  readonly #producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly #consumers = new Map<string, types.Consumer<ConsumerAppData>>();
  /** Producer id → the id of the transport it arrives on (MEDIA-2). */
  readonly #producerTransport = new Map<string, string>();
  readonly #guard = new BitrateGuard((producer, bitsPerSecond) => {
    if (producer.closed || this.#closed) return;
    this.emit('bitrateexceeded', producer, Math.round(bitsPerSecond));
    producer.close();
  });
  readonly #scores = new ScoreReporter((scores) => {
    if (!this.#closed) this.emit('scores', scores);
  });
  /** REACH-1: transport id → undoes its route on the shared port. */
  readonly #sharedRoutes = new Map<string, () => void>();
  #rtpCapabilities?: types.RtpCapabilities;
  #placement?: Promise<MediaPlacement>;
  #placed?: MediaPlacement;
  #closed = false;

  constructor(id: string, ctx: MediaPeerContext) {
    super();
    this.id = id;
    this.#ctx = ctx;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producers(): ReadonlyMap<string, types.Producer<ProducerAppData>> {
    return this.#producers;
  }

  get consumers(): ReadonlyMap<string, types.Consumer<ConsumerAppData>> {
    return this.#consumers;
  }

  /** The router and worker of this peer, once its first transport exists. */
  get placement(): MediaPlacement | undefined {
    return this.#placed;
  }

  setRtpCapabilities(rtpCapabilities: types.RtpCapabilities): void {
    this.#rtpCapabilities = rtpCapabilities;
  }

  async createTransport(direction: TransportDirection): Promise<TransportParams> {
    this.#assertOpen();
    if (this.#transports.size >= LIMITS.maxTransportsPerPeer) {
      throw new AppError('BAD_REQUEST', `at most ${LIMITS.maxTransportsPerPeer} transports per participant`);
    }
    this.#placement ??= this.#ctx.place().then((placed) => (this.#placed = placed));
    const { router, webRtcServer } = await this.#placement;
    this.#assertOpen();
    const transport = await router.createWebRtcTransport<TransportAppData>({
      webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction },
    });
    if (this.#closed) {
      transport.close();
      this.#assertOpen();
    }
    this.#transports.set(transport.id, transport);
    transport.observer.once('close', () => {
      this.#transports.delete(transport.id);
      this.#shareTcp(transport, undefined);
    });
    if (direction === 'send') this.#capIncoming(transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: this.#shareTcp(transport, transport.iceParameters),
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** SIG-14: new ICE parameters for one of this peer's transports (an ICE restart). */
  async restartIce(transportId: string): Promise<types.IceParameters> {
    const transport = this.#transport(transportId);
    const iceParameters = await transport.restartIce().catch((e) => {
      throw toAppError(e, 'could not restart ICE');
    });
    this.#shareTcp(transport, iceParameters); // the new ufrag takes the route over
    return iceParameters;
  }

  /**
   * REACH-1: routes ICE-TCP connections of the shared HTTP port that name this transport's ufrag
   * to its worker's TCP port (undoing the previous route; `undefined` only undoes), and returns
   * the transport's candidates with the shared port's added.
   */
  #shareTcp(transport: types.WebRtcTransport, iceParameters: types.IceParameters | undefined): types.IceCandidate[] {
    this.#sharedRoutes.get(transport.id)?.();
    this.#sharedRoutes.delete(transport.id);
    const shared = this.#ctx.sharedTcpPort;
    const own = transport.iceCandidates;
    const tcp = own.find((c) => c.protocol === 'tcp');
    if (!shared || !tcp || !iceParameters) return own;
    this.#sharedRoutes.set(transport.id, shared.route(iceParameters.usernameFragment, tcp.port));
    return [...own, shared.candidate(Math.min(...own.map((c) => c.priority)))];
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    await transport.connect({ dtlsParameters }).catch((e) => {
      throw toAppError(e, 'could not connect the transport');
    });
  }

  async produce(options: {
    transportId: string;
    kind: types.MediaKind;
    rtpParameters: types.RtpParameters;
    source: MediaSource;
    paused?: boolean;
  }): Promise<types.Producer<ProducerAppData>> {
    const transport = this.#transport(options.transportId);
    if (transport.appData.direction !== 'send') throw new AppError('BAD_REQUEST', 'this transport is for receiving');
    if (this.#producers.size >= LIMITS.maxProducersPerPeer) {
      throw new AppError('BAD_REQUEST', `at most ${LIMITS.maxProducersPerPeer} producers per participant`);
    }
    for (const p of this.#producers.values()) {
      if (p.appData.source === options.source) throw new AppError('BAD_REQUEST', `already producing ${options.source}`);
    }
    const expectedKind = options.source === 'microphone' || options.source === 'screen-audio' ? 'audio' : 'video';
    if (options.kind !== expectedKind) throw new AppError('BAD_REQUEST', `${options.source} must be ${expectedKind}`);
    // MEDIA-1: what the encodings declare stays within the source's cap.
    const declared = (options.rtpParameters.encodings ?? []).reduce((sum, e) => sum + (e.maxBitrate ?? 0), 0);
    const cap = MEDIA_LIMITS.maxBitrate[options.source];
    if (declared > cap) throw new AppError('BAD_REQUEST', `${options.source}: at most ${cap} bit/s (the encodings declare ${declared})`);
    const producer = await transport
      .produce<ProducerAppData>({
        kind: options.kind,
        rtpParameters: options.rtpParameters,
        paused: options.paused ?? false,
        appData: { peerId: this.id, source: options.source },
      })
      .catch((e) => {
        throw toAppError(e, 'could not produce');
      });
    this.#producers.set(producer.id, producer);
    this.#producerTransport.set(producer.id, transport.id);
    this.#capIncoming(transport);
    this.#guard.watch(producer);
    this.#scores.watchProducer(producer);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.#producerTransport.delete(producer.id);
      if (!this.#closed) {
        this.#capIncoming(transport);
        this.emit('producerclosed', producer);
      }
    });
    this.emit('newproducer', producer);
    return producer;
  }

  closeProducer(producerId: string): void {
    this.#producer(producerId).close();
  }

  async pauseProducer(producerId: string): Promise<types.Producer<ProducerAppData>> {
    const producer = this.#producer(producerId);
    await producer.pause();
    this.emit('producerpaused', producer);
    return producer;
  }

  async resumeProducer(producerId: string): Promise<types.Producer<ProducerAppData>> {
    const producer = this.#producer(producerId);
    await producer.resume();
    this.emit('producerresumed', producer);
    return producer;
  }

  /** Creates a paused consumer of another peer's producer; the client resumes it when ready. */
  async consume(transportId: string, producerId: string): Promise<types.Consumer<ConsumerAppData>> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== 'recv') throw new AppError('BAD_REQUEST', 'this transport is for sending');
    if (!this.#rtpCapabilities) throw new AppError('BAD_REQUEST', 'send setRtpCapabilities before consume');
    const producer = this.#ctx.findProducer(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'no such producer in this room');
    if (producer.appData.peerId === this.id) throw new AppError('BAD_REQUEST', 'cannot consume your own producer');
    for (const c of this.#consumers.values()) {
      if (c.producerId === producerId) throw new AppError('BAD_REQUEST', 'already consuming this producer');
    }
    const router = this.#placed!.router; // placed: the transport exists
    await this.#ctx.pipeTo(producerId, router).catch((e) => {
      throw toAppError(e, 'could not bring the producer to this worker');
    });
    this.#assertOpen();
    if (!router.canConsume({ producerId, rtpCapabilities: this.#rtpCapabilities })) {
      throw new AppError('BAD_REQUEST', 'your device cannot receive this producer');
    }
    const consumer = await transport
      .consume<ConsumerAppData>({
        producerId,
        rtpCapabilities: this.#rtpCapabilities,
        paused: true,
        appData: { peerId: this.id, producerPeerId: producer.appData.peerId, source: producer.appData.source },
      })
      .catch((e) => {
        throw toAppError(e, 'could not consume');
      });
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    this.#scores.watchConsumer(consumer);
    consumer.once('producerclose', () => {
      if (!this.#closed) this.emit('consumerclosed', consumer);
    });
    return consumer;
  }

  /**
   * SIG-17: `consume` for several producers at once (a join into a full room). Everything the
   * single consume refuses refuses the whole batch before any consumer exists; a producer that is
   * no longer in the room, or closes while the batch runs, is `missing` instead. The consumers are
   * created paused (SIG-5), in parallel, and returned in the order asked.
   */
  async consumeMany(transportId: string, producerIds: string[]): Promise<{ consumers: Array<types.Consumer<ConsumerAppData>>; missing: string[] }> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== 'recv') throw new AppError('BAD_REQUEST', 'this transport is for sending');
    const rtpCapabilities = this.#rtpCapabilities;
    if (!rtpCapabilities) throw new AppError('BAD_REQUEST', 'send setRtpCapabilities before consume');
    const consumed = new Set([...this.#consumers.values()].map((c) => c.producerId));
    const gone = (producerId: string) => !this.#ctx.findProducer(producerId);
    const producers: ProducerView[] = [];
    const missing = new Set<string>();
    for (const producerId of producerIds) {
      const producer = this.#ctx.findProducer(producerId);
      if (!producer) missing.add(producerId);
      else if (producer.appData.peerId === this.id) throw new AppError('BAD_REQUEST', 'cannot consume your own producer');
      else if (consumed.has(producerId)) throw new AppError('BAD_REQUEST', `already consuming producer ${producerId}`);
      else producers.push(producer);
    }
    const router = this.#placed!.router; // placed: the transport exists
    const piped = await Promise.allSettled(producers.map((p) => this.#ctx.pipeTo(p.id, router)));
    piped.forEach((r, i) => {
      if (r.status === 'rejected' && !gone(producers[i].id)) throw toAppError(r.reason, 'could not bring the producer to this worker');
    });
    this.#assertOpen();
    const wanted = producers.filter((p) => !gone(p.id));
    for (const p of wanted) {
      if (!router.canConsume({ producerId: p.id, rtpCapabilities })) throw new AppError('BAD_REQUEST', 'your device cannot receive this producer');
    }
    const created = await Promise.allSettled(
      wanted.map((producer) =>
        transport.consume<ConsumerAppData>({
          producerId: producer.id,
          rtpCapabilities,
          paused: true,
          appData: { peerId: this.id, producerPeerId: producer.appData.peerId, source: producer.appData.source },
        }),
      ),
    );
    const consumers: Array<types.Consumer<ConsumerAppData>> = [];
    let failure: unknown;
    created.forEach((r, i) => {
      if (r.status === 'fulfilled') consumers.push(r.value);
      else if (gone(wanted[i].id)) missing.add(wanted[i].id);
      else failure ??= r.reason;
    });
    if (failure !== undefined || this.#closed) {
      for (const c of consumers) c.close();
      this.#assertOpen();
      throw toAppError(failure, 'could not consume');
    }
    // A producer that closed while its consumer was being created closed that consumer too.
    for (const c of consumers) if (c.closed) missing.add(c.producerId);
    const open = consumers.filter((c) => !c.closed);
    for (const consumer of open) {
      this.#consumers.set(consumer.id, consumer);
      consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
      this.#scores.watchConsumer(consumer);
      consumer.once('producerclose', () => {
        if (!this.#closed) this.emit('consumerclosed', consumer);
      });
    }
    return { consumers: open, missing: producerIds.filter((id) => missing.has(id)) };
  }

  /**
   * SIG-17: resumes those of `consumerIds` that are this peer's and paused (an already resumed one
   * costs the worker nothing); returns the others (closed meanwhile, unknown, another peer's).
   */
  async resumeConsumers(consumerIds: string[]): Promise<string[]> {
    this.#assertOpen();
    const missing: string[] = [];
    const paused: Array<types.Consumer<ConsumerAppData>> = [];
    for (const id of consumerIds) {
      const consumer = this.#consumers.get(id);
      if (!consumer) missing.push(id);
      else if (consumer.paused) paused.push(consumer);
    }
    const resumed = await Promise.allSettled(paused.map((c) => c.resume()));
    resumed.forEach((r, i) => {
      if (r.status === 'rejected' && !paused[i].closed) throw toAppError(r.reason, 'could not resume');
    });
    for (const c of paused) if (c.closed) missing.push(c.id);
    if (paused.length > 0) this.#ctx.consumersChanged?.();
    return consumerIds.filter((id) => missing.includes(id));
  }

  async pauseConsumer(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).pause();
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).resume();
    this.#ctx.consumersChanged?.();
  }

  /**
   * Chooses the simulcast/SVC layers forwarded to this consumer (the receiver's tile size decides).
   * A no-op for a single-layer stream; mediasoup still lowers the layer when bandwidth is short.
   */
  async setConsumerLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.#consumer(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
    this.#ctx.consumersChanged?.();
  }

  /**
   * MEDIA-2: the send transport's incoming bitrate is the sum of its producers' caps (at least
   * MEDIA_LIMITS.minTransportBitrate); mediasoup tells the sender's congestion control (REMB).
   */
  #capIncoming(transport: types.WebRtcTransport<TransportAppData>): void {
    if (transport.closed) return;
    let sum = 0;
    for (const [producerId, transportId] of this.#producerTransport) {
      const source = this.#producers.get(producerId)?.appData.source;
      if (transportId === transport.id && source) sum += MEDIA_LIMITS.maxBitrate[source];
    }
    transport.setMaxIncomingBitrate(Math.max(MEDIA_LIMITS.minTransportBitrate, sum)).catch(() => undefined);
  }

  /** Closes every transport (and so every producer and consumer). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#guard.close();
    this.#scores.close();
    for (const transport of [...this.#transports.values()]) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.emit('close');
    this.removeAllListeners();
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('NOT_JOINED', 'this participant has left');
  }

  #transport(id: string): types.WebRtcTransport<TransportAppData> {
    this.#assertOpen();
    const t = this.#transports.get(id);
    if (!t) throw new AppError('NOT_FOUND', 'no such transport');
    return t;
  }

  #producer(id: string): types.Producer<ProducerAppData> {
    this.#assertOpen();
    const p = this.#producers.get(id);
    if (!p) throw new AppError('NOT_FOUND', 'no such producer');
    return p;
  }

  #consumer(id: string): types.Consumer<ConsumerAppData> {
    this.#assertOpen();
    const c = this.#consumers.get(id);
    if (!c) throw new AppError('NOT_FOUND', 'no such consumer');
    return c;
  }
}
