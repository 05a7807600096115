import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  AppError,
  type MediaSource,
  type ShardConsumer,
  type ShardEventData,
  type ShardEventName,
  type ShardProducer,
  type ShardRequestData,
  type ShardRequestName,
  type ShardResponseData,
} from '@nomades/shared';
import type { ConsumerView, MediaParticipant, MediaParticipantEvents, ProducerView } from '../MediaParticipant.js';
import type { TransportDirection, TransportParams } from '../MediaPeerTypes.js';
import { toAppError } from '../toAppError.js';
import { RemoteConsumer } from './RemoteConsumer.js';
import { RemoteProducer } from './RemoteProducer.js';

/** What a RemoteMediaPeer needs from the home's MediaRoom and its link to the annex. */
export interface RemoteMediaPeerContext {
  /** The annex's node id. */
  readonly nodeId: string;
  /** One request to the room's shard on the annex, its answer validated (AppError otherwise). */
  request<N extends ShardRequestName>(method: N, data: ShardRequestData<N>): Promise<ShardResponseData<N>>;
  /** A producer of the room, on either node. */
  findProducer(producerId: string): ProducerView | undefined;
  /** SPAN-3: makes a producer of the home consumable on the annex (pipes it out once); no-op for the annex's own. */
  bringToAnnex(producerId: string): Promise<void>;
}

/** Ids of producers and consumers closed before their answer came back, remembered this many at most. */
const GONE_MEMORY = 256;

/**
 * SPAN-2: a participant whose media lives on the room's annex, as the home sees it. Every
 * MediaParticipant method is a `shard.*` request to the annex's copy of the room (MediaShard);
 * `producers` and `consumers` are views kept from the answers and from the shard's events, which
 * this class re-emits as MediaPeer does (the Room broadcasts them unchanged). Events are the
 * shard's truth: an answer only fills in what its event has not brought yet (a node channel
 * delivers events in order, an answer may overtake them).
 */
export class RemoteMediaPeer extends EventEmitter<MediaParticipantEvents> implements MediaParticipant {
  readonly id: string;
  readonly #ctx: RemoteMediaPeerContext;
  readonly #producers = new Map<string, RemoteProducer>();
  readonly #consumers = new Map<string, RemoteConsumer>();
  /** Closed by an event before the answer that creates them arrived (then they are born closed). */
  readonly #gone = new Set<string>();
  /** The shard created this participant. */
  readonly #ready: Promise<void>;
  /** Why the shard refused this participant (ROOM_FULL, UNAVAILABLE): what its calls then fail with. */
  #refusal?: AppError;
  #closed = false;

  constructor(id: string, ctx: RemoteMediaPeerContext) {
    super();
    this.id = id;
    this.#ctx = ctx;
    this.#ready = ctx.request('shard.createPeer', { peerId: id }).then(() => undefined);
    // The annex refused (full, gone): this participant has no media; the server removes it (SPAN-7).
    this.#ready.catch((error: unknown) => {
      this.#refusal = toAppError(error, 'the media node refused this participant');
      this.closeFromAnnex();
    });
  }

  /** The node whose shard holds this participant's media. */
  get nodeId(): string {
    return this.#ctx.nodeId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producers(): ReadonlyMap<string, ProducerView> {
    return this.#producers;
  }

  get consumers(): ReadonlyMap<string, ConsumerView> {
    return this.#consumers;
  }

  async setRtpCapabilities(rtpCapabilities: types.RtpCapabilities): Promise<void> {
    await this.#call('shard.setRtpCapabilities', { peerId: this.id, rtpCapabilities });
  }

  async createTransport(direction: TransportDirection): Promise<TransportParams> {
    const t = await this.#call('shard.createTransport', { peerId: this.id, direction });
    // Checked structurally by the schema; the annex's mediasoup made them.
    return {
      id: t.id,
      iceParameters: t.iceParameters as types.IceParameters,
      iceCandidates: t.iceCandidates as types.IceCandidate[],
      dtlsParameters: t.dtlsParameters as types.DtlsParameters,
    };
  }

  async restartIce(transportId: string): Promise<types.IceParameters> {
    const { iceParameters } = await this.#call('shard.restartIce', { peerId: this.id, transportId });
    return iceParameters as types.IceParameters;
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.#call('shard.connectTransport', { peerId: this.id, transportId, dtlsParameters });
  }

  async produce(options: { transportId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters; source: MediaSource; paused?: boolean }): Promise<ProducerView> {
    const { transportId, kind, rtpParameters, source, paused } = options;
    const answer = await this.#call('shard.produce', { peerId: this.id, transportId, kind, rtpParameters, source, paused });
    return this.#producerFrom(answer);
  }

  closeProducer(producerId: string): void {
    this.#assertOpen();
    if (!this.#producers.has(producerId)) throw new AppError('NOT_FOUND', 'no such producer');
    // Closed here at once, as MediaPeer does (the room tells the others now); the shard follows.
    this.#producerClosed(producerId);
    void this.#ctx.request('shard.closeProducer', { peerId: this.id, producerId }).catch(() => undefined);
  }

  async pauseProducer(producerId: string): Promise<ProducerView> {
    return this.#setProducerPaused(producerId, true);
  }

  async resumeProducer(producerId: string): Promise<ProducerView> {
    return this.#setProducerPaused(producerId, false);
  }

  async #setProducerPaused(producerId: string, paused: boolean): Promise<ProducerView> {
    this.#assertOpen();
    if (!this.#producers.has(producerId)) throw new AppError('NOT_FOUND', 'no such producer');
    const answer = await this.#call(paused ? 'shard.pauseProducer' : 'shard.resumeProducer', { peerId: this.id, producerId });
    const view = this.#producers.get(producerId);
    if (!view) throw new AppError('NOT_FOUND', 'no such producer');
    view.setPaused(answer.paused); // its event (producerpaused/resumed) emits
    return view;
  }

  async consume(transportId: string, producerId: string): Promise<ConsumerView> {
    await this.#open();
    const producer = this.#ctx.findProducer(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'no such producer in this room');
    if (producer.appData.peerId === this.id) throw new AppError('BAD_REQUEST', 'cannot consume your own producer');
    for (const c of this.#consumers.values()) {
      if (c.producerId === producerId) throw new AppError('BAD_REQUEST', 'already consuming this producer');
    }
    await this.#ctx.bringToAnnex(producerId).catch((e) => {
      throw toAppError(e, 'could not bring the producer to the media node');
    });
    const answer = await this.#call('shard.consume', { peerId: this.id, transportId, producerId });
    return this.#consumerFrom(answer);
  }

  async consumeMany(transportId: string, producerIds: string[]): Promise<{ consumers: ConsumerView[]; missing: string[] }> {
    await this.#open();
    // SPAN-3: the home's producers cross first; one that closed meanwhile is the shard's `missing`.
    const wanted = producerIds.filter((id) => {
      const producer = this.#ctx.findProducer(id);
      return producer !== undefined && producer.appData.peerId !== this.id;
    });
    const piped = await Promise.allSettled(wanted.map((id) => this.#ctx.bringToAnnex(id)));
    piped.forEach((r, i) => {
      if (r.status === 'rejected' && this.#ctx.findProducer(wanted[i])) throw toAppError(r.reason, 'could not bring the producer to the media node');
    });
    const answer = await this.#call('shard.consumeMany', { peerId: this.id, transportId, producerIds });
    const consumers: ConsumerView[] = [];
    const missing = new Set(answer.missing);
    for (const data of answer.consumers) {
      const consumer = this.#consumerFrom(data);
      if (consumer.closed) missing.add(consumer.producerId);
      else consumers.push(consumer);
    }
    return { consumers, missing: producerIds.filter((id) => missing.has(id)) };
  }

  async resumeConsumers(consumerIds: string[]): Promise<string[]> {
    const { missing } = await this.#call('shard.resumeConsumers', { peerId: this.id, consumerIds });
    const absent = new Set(missing);
    for (const id of consumerIds) if (!absent.has(id)) this.#consumers.get(id)?.setPaused(false);
    return missing;
  }

  async pauseConsumer(consumerId: string): Promise<void> {
    await this.#setConsumerPaused(consumerId, true);
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#setConsumerPaused(consumerId, false);
  }

  async #setConsumerPaused(consumerId: string, paused: boolean): Promise<void> {
    this.#assertOpen();
    if (!this.#consumers.has(consumerId)) throw new AppError('NOT_FOUND', 'no such consumer');
    await this.#call(paused ? 'shard.pauseConsumer' : 'shard.resumeConsumer', { peerId: this.id, consumerId });
    this.#consumers.get(consumerId)?.setPaused(paused);
  }

  async setConsumerLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    this.#assertOpen();
    if (!this.#consumers.has(consumerId)) throw new AppError('NOT_FOUND', 'no such consumer');
    await this.#call('shard.setConsumerLayers', { peerId: this.id, consumerId, spatialLayer, temporalLayer });
  }

  /** An event of the shard about this participant (its ShardLink routes them by peer id). */
  receive<N extends ShardEventName>(name: N, data: ShardEventData<N>): void {
    if (this.#closed) return;
    const event = { name, data } as { [K in ShardEventName]: { name: K; data: ShardEventData<K> } }[ShardEventName];
    switch (event.name) {
      case 'shard.newproducer':
        this.#producerFrom(event.data.producer);
        break;
      case 'shard.producerpaused':
      case 'shard.producerresumed': {
        const view = this.#producers.get(event.data.producerId);
        if (!view) break;
        const paused = event.name === 'shard.producerpaused';
        view.setPaused(paused);
        this.emit(paused ? 'producerpaused' : 'producerresumed', view);
        break;
      }
      case 'shard.producerclosed':
        this.#producerClosed(event.data.producerId);
        break;
      case 'shard.bitrateexceeded': {
        const view = this.#producers.get(event.data.producerId);
        if (view) this.emit('bitrateexceeded', view, event.data.bitsPerSecond);
        break;
      }
      case 'shard.consumerclosed': {
        const view = this.#consumers.get(event.data.consumerId);
        if (!view) remember(this.#gone, event.data.consumerId);
        else if (view.markClosed()) {
          this.#consumers.delete(view.id);
          this.emit('consumerclosed', view);
        }
        break;
      }
      case 'shard.scores':
        this.emit('scores', event.data.scores);
        break;
      case 'shard.peerclosed':
        this.closeFromAnnex();
        break;
    }
  }

  /** The view of a producer the shard announced (answer or event), created once; `newproducer` once. */
  #producerFrom(data: ShardProducer): RemoteProducer {
    const known = this.#producers.get(data.id);
    if (known) return known;
    const view = new RemoteProducer(data, (id) => this.closeProducer(id));
    if (this.#gone.delete(data.id) || this.#closed) {
      view.markClosed();
      return view;
    }
    this.#producers.set(view.id, view);
    this.emit('newproducer', view);
    return view;
  }

  #producerClosed(producerId: string): void {
    const view = this.#producers.get(producerId);
    if (!view) return void remember(this.#gone, producerId);
    this.#producers.delete(producerId);
    if (view.markClosed()) this.emit('producerclosed', view);
  }

  /** The view of a consumer the shard created; born closed if its consumerclosed came first. */
  #consumerFrom(data: ShardConsumer): RemoteConsumer {
    const known = this.#consumers.get(data.id);
    if (known) return known;
    const view = new RemoteConsumer(data, () => this.#ctx.findProducer(data.producerId));
    if (this.#gone.delete(data.id) || this.#closed) {
      view.markClosed();
      // Its consumerclosed found no view to close: the room tells the client now.
      if (!this.#closed) queueMicrotask(() => this.emit('consumerclosed', view));
      return view;
    }
    this.#consumers.set(view.id, view);
    return view;
  }

  /** One request of this participant, once the shard holds it. */
  async #call<N extends ShardRequestName>(method: N, data: ShardRequestData<N>): Promise<ShardResponseData<N>> {
    await this.#open();
    const answer = await this.#ctx.request(method, data);
    this.#assertOpen();
    return answer;
  }

  async #open(): Promise<void> {
    this.#assertOpen();
    await this.#ready.catch(() => undefined);
    this.#assertOpen();
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#refusal ?? new AppError('NOT_JOINED', 'this participant has left');
  }

  /** Closes the participant's media on the annex too. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.closeFromAnnex();
    void this.#ready.then(() => this.#ctx.request('shard.closePeer', { peerId: this.id })).catch(() => undefined);
  }

  /** The annex closed this participant, or cannot be reached (SPAN-7): closes the views here. Idempotent. */
  closeFromAnnex(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#producers.values()) p.markClosed();
    for (const c of this.#consumers.values()) c.markClosed();
    this.#producers.clear();
    this.#consumers.clear();
    this.#gone.clear();
    this.emit('close', this.#refusal);
    this.removeAllListeners();
  }
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > GONE_MEMORY) set.delete(set.values().next().value!);
}
