import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError, NODE_PIPE_LIMITS, type PipeLane, type PipeRef, type PipeRequestData, type PipeResponseData } from '@nomades/shared';
import type { ProducerAppData } from '../MediaPeerTypes.js';
import { toAppError } from '../toAppError.js';
import type { NodeChannel } from './NodeChannel.js';
import { LayeredPipe } from './LayeredPipe.js';
import { PipeChannel, type PipeChannelLogger } from './PipeChannel.js';
import type { PipeExport } from './PipeExport.js';
import { PipeTransportPair } from './PipeTransportPair.js';
import { WholePipe } from './WholePipe.js';

type Producer = types.Producer<ProducerAppData>;

export interface NodePipesOptions {
  /** The router of this node's side of the room where pipes end (the room's first router). */
  router: types.Router;
  /** To the other node, for this room. */
  channel: NodeChannel;
  /** This node's media listen address (e.g. '127.0.0.1' or '0.0.0.0'). */
  listenIp: string;
  /** The address the other node reaches (when listenIp is a wildcard). */
  announcedIp?: string;
  /** SPAN-3: true = no SRTP (the operator declared the inter-node network trusted); default false = SRTP on. */
  trusted?: boolean;
  /** SPAN-3b: simulcast videos cross one stream per layer, as wanted (default true); false = every layer, always. */
  layers?: boolean;
  /** Finds a local producer by id (the room's), to serve the other side's pipeIn requests. */
  findProducer(producerId: string): Producer | undefined;
  /** Where refused messages of the other node are reported (a pino logger fits). */
  logger?: PipeChannelLogger;
}

/**
 * SPAN-3/4: `router.pipeToRouter` between two hosts, for one room and one pair of nodes. Producers
 * cross on demand through two transport pairs (PipeTransportPair), one per lane: a simulcast video
 * on the `layers` lane as one stream per layer (LayeredPipe, SPAN-3b: only the layers the other
 * side watches cross), anything else on the `pipe` lane through a pipe consumer (WholePipe). Each
 * crossing is a producer with the same id and appData on the destination's transport. Everything pipeToRouter wires in memory is a message on the node channel here
 * (pause, resume, close of the producer; release by the destination); RTCP (key-frame requests,
 * receiver reports) travels inside the pipe. Both nodes run one NodePipes each, symmetric: either
 * may pipe out, pipe in, or both.
 *
 * Key frames need nothing more here (the known pitfall, "mappedSsrc not found": a key-frame request
 * made on the destination before the pipe's first RTP finds no stream and is ignored). The pipe
 * consumer asks for a key frame when created and forwards from one; if that key frame crosses
 * before the destination has produced the pipe, it is dropped there, the stream then starts with
 * a delta frame, and mediasoup's Producer (3.12, Producer.cpp) asks for a key frame on a new stream
 * that starts without one. Later requests find the stream and cross (tests/integration/nodePipes).
 */
export class NodePipes extends EventEmitter<{ close: [] }> {
  readonly #o: NodePipesOptions;
  /** The `pipe` lane (PipeTransports) and the `layers` lane (PlainTransports, SPAN-3b). */
  readonly #pair: PipeTransportPair;
  readonly #layerPair: PipeTransportPair;
  readonly #channel: PipeChannel;
  /** Source side: producer id → its export (in progress or done), and the done ones' pipe consumers. */
  readonly #exports = new Map<string, Promise<PipeExport>>();
  readonly #exported = new Map<string, PipeExport>();
  /** Destination side: imports in progress; pipe producers; the source's pipe consumer id of each. */
  readonly #importing = new Map<string, Promise<Producer>>();
  readonly #imported = new Map<string, Producer>();
  readonly #importedVia = new Map<string, string>();
  /** Producer id → consumer id of its last released import (see `pipe.in`). */
  readonly #released = new Map<string, string>();
  /** Pipe ends closed because the other side said so: nothing to tell it back. */
  readonly #quiet = new WeakSet<object>();
  readonly #onRouterClose = () => this.close();
  #closed = false;

  constructor(options: NodePipesOptions) {
    super();
    this.#o = options;
    const channel = (this.#channel = new PipeChannel(options.channel, () => this.#closed, options.logger));
    const pair = (lane: 'pipe' | 'layers') =>
      new PipeTransportPair({
        lane,
        router: options.router,
        listenIp: options.listenIp,
        announcedIp: options.announcedIp,
        trusted: options.trusted ?? false,
        exchange: (local) => channel.request('pipe.connect', local),
        onClose: () => this.close(),
      });
    this.#pair = pair('pipe');
    this.#layerPair = pair('layers');
    channel.serve('pipe.connect', (endpoint) => this.#pairOf(endpoint).accept(endpoint));
    channel.serve('pipe.produce', (data) => this.#produce(data));
    channel.serve('pipe.in', (data) => this.#serveIn(data));
    channel.listen('pipe.paused', (ref) => void this.#importOf(ref)?.pause().catch(() => undefined));
    channel.listen('pipe.resumed', (ref) => void this.#importOf(ref)?.resume().catch(() => undefined));
    channel.listen('pipe.closed', (ref) => this.#closeQuietly(this.#importOf(ref)));
    channel.listen('pipe.released', (ref) => this.#closeQuietly(this.#exportOf(ref)));
    // SPAN-3: what the other side watches of it: nothing crosses, or the layers up to one.
    channel.listen('pipe.demand', ({ spatialLayer, ...ref }) => void this.#exportOf(ref)?.setDemand(spatialLayer).catch(() => undefined));
    channel.listen('pipe.end', () => this.#shutdown(false));
    options.channel.onClose(() => this.#shutdown(false));
    options.router.observer.once('close', this.#onRouterClose);
    if (options.router.closed) this.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Producers imported from the other node (pipe producers on `router`), by id. */
  get imported(): ReadonlyMap<string, Producer> {
    return this.#imported;
  }

  /** Local producers piped to the other node: how each crosses, by producer id. */
  get exported(): ReadonlyMap<string, PipeExport> {
    return this.#exported;
  }

  /** This node's end of the `pipe` lane's transport pair, once created (the first pipe creates it). */
  get transport(): types.PipeTransport | undefined {
    return this.#pair.transport as types.PipeTransport | undefined;
  }

  /** This node's ends of both lanes' transport pairs, those created. */
  get transports(): Array<types.PipeTransport | types.PlainTransport> {
    return [this.#pair.transport, this.#layerPair.transport].filter((t) => t !== undefined);
  }

  /**
   * Makes a local producer available on the other node as a producer with the same id and appData;
   * once per producer (concurrent calls share one promise); resolves when the other side has produced it.
   */
  pipeOut(producerId: string): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    let exporting = this.#exports.get(producerId);
    if (!exporting) {
      if (this.#exports.size >= NODE_PIPE_LIMITS.maxPipes) {
        return Promise.reject(new AppError('BAD_REQUEST', `at most ${NODE_PIPE_LIMITS.maxPipes} producers piped to one node`));
      }
      const attempt = this.#export(producerId);
      this.#exports.set(producerId, attempt);
      attempt.catch(() => {
        if (this.#exports.get(producerId) === attempt) this.#exports.delete(producerId);
      });
      exporting = attempt;
    }
    return exporting.then(() => undefined);
  }

  /** Asks the other node to pipe its producer here; resolves with the local pipe producer. Concurrent calls share one promise. */
  pipeIn(producerId: string): Promise<Producer> {
    if (this.#closed) return Promise.reject(closedError());
    const have = this.#imported.get(producerId);
    if (have) return Promise.resolve(have);
    let importing = this.#importing.get(producerId);
    if (!importing) {
      if (this.#imported.size + this.#importing.size >= NODE_PIPE_LIMITS.maxPipes) {
        return Promise.reject(new AppError('BAD_REQUEST', `at most ${NODE_PIPE_LIMITS.maxPipes} producers piped from one node`));
      }
      const attempt = this.#import(producerId);
      this.#importing.set(producerId, attempt);
      const done = () => this.#importing.get(producerId) === attempt && this.#importing.delete(producerId);
      attempt.then(done, done);
      importing = attempt;
    }
    return importing;
  }

  /** Ends the import of one producer here: closes the local pipe producer; the source closes its pipe consumer. */
  release(producerId: string): void {
    const producer = this.#imported.get(producerId);
    const via = this.#importedVia.get(producerId);
    if (!producer || !via) return;
    this.#released.delete(producerId);
    this.#released.set(producerId, via);
    if (this.#released.size > NODE_PIPE_LIMITS.maxReleasedRemembered) this.#released.delete(this.#released.keys().next().value!);
    producer.close(); // its close tells the source (pipe.released)
  }

  /**
   * SPAN-3, destination side: what this node wants of an imported video now: nothing (-1, every
   * consumer of it here paused) or the layers up to `spatialLayer` (`pipe.demand`).
   */
  setDemand(producerId: string, spatialLayer: number): void {
    const via = this.#importedVia.get(producerId);
    if (!via || !this.#imported.has(producerId)) return;
    this.#channel.send('pipe.demand', { producerId, consumerId: via, spatialLayer });
  }

  /** Closes every pipe transport, consumer and producer of this pair, on both nodes. Idempotent. */
  close(): void {
    this.#shutdown(true);
  }

  async #export(producerId: string): Promise<PipeExport> {
    const producer = this.#o.findProducer(producerId);
    if (!producer || producer.closed) throw new AppError('NOT_FOUND', 'no such producer in this room');
    const consumer = await this.#exportOn(producer).catch((error: unknown) => {
      throw producer.closed ? new AppError('NOT_FOUND', 'the producer closed meanwhile') : toAppError(error, 'could not consume for the pipe');
    });
    const ref: PipeRef = { producerId, consumerId: consumer.id };
    // Wired before the other side produces: what it misses meanwhile is re-sent below.
    this.#exported.set(producerId, consumer);
    consumer.on('producerpause', () => this.#channel.send('pipe.paused', ref));
    consumer.on('producerresume', () => this.#channel.send('pipe.resumed', ref));
    consumer.once('close', () => {
      if (this.#exported.get(producerId) === consumer) {
        this.#exported.delete(producerId);
        this.#exports.delete(producerId);
      }
      if (!this.#quiet.has(consumer)) this.#channel.send('pipe.closed', ref);
    });
    const paused = consumer.producerPaused;
    const { kind, rtpParameters, lane } = consumer;
    const appData = { peerId: producer.appData.peerId, source: producer.appData.source };
    try {
      await this.#channel.request('pipe.produce', { ...ref, kind, rtpParameters, paused, lane, appData });
    } catch (error) {
      this.#closeQuietly(consumer);
      throw error;
    }
    if (this.#closed) throw closedError();
    if (consumer.closed) {
      // Closed while the other side produced: its pipe.closed may have arrived before the producer existed.
      this.#channel.send('pipe.closed', ref);
      throw new AppError('NOT_FOUND', 'the producer closed meanwhile');
    }
    if (consumer.producerPaused !== paused) this.#channel.send(consumer.producerPaused ? 'pipe.paused' : 'pipe.resumed', ref);
    return consumer;
  }

  async #import(producerId: string): Promise<Producer> {
    const released = this.#released.get(producerId);
    await this.#channel.request('pipe.in', released ? { producerId, released } : { producerId });
    if (this.#closed) throw closedError();
    const producer = this.#imported.get(producerId);
    if (!producer) throw new AppError('NOT_FOUND', 'the producer closed meanwhile');
    return producer;
  }

  /** Source side of `pipe.in`: a pipe the destination released is not reused, whatever the order of messages. */
  async #serveIn({ producerId, released }: PipeRequestData<'pipe.in'>): Promise<PipeResponseData<'pipe.in'>> {
    const current = this.#exported.get(producerId);
    if (released && current?.id === released) this.#closeQuietly(current);
    await this.pipeOut(producerId);
    return {};
  }

  /** SPAN-3b: a simulcast video on the `layers` lane (one stream per layer), anything else through a pipe consumer. */
  async #exportOn(producer: Producer): Promise<PipeExport> {
    if (this.#o.layers !== false && LayeredPipe.fits(producer)) {
      const transport = (await this.#layerPair.ready()) as types.PlainTransport;
      return LayeredPipe.create(transport, producer, this.#o.router.rtpCapabilities);
    }
    const transport = (await this.#pair.ready()) as types.PipeTransport;
    return new WholePipe(await transport.consume({ producerId: producer.id }));
  }

  #pairOf({ lane }: { lane: PipeLane }): PipeTransportPair {
    return lane === 'layers' ? this.#layerPair : this.#pair;
  }

  /** Destination side of `pipe.produce`: the pipe producer, same id and appData as the source's. */
  async #produce(data: PipeRequestData<'pipe.produce'>): Promise<PipeResponseData<'pipe.produce'>> {
    const { producerId, consumerId } = data;
    const old = this.#imported.get(producerId);
    if (old && this.#importedVia.get(producerId) === consumerId) return {};
    this.#closeQuietly(old); // the source replaced that pipe: its consumer is gone
    if (this.#imported.size >= NODE_PIPE_LIMITS.maxPipes) throw new AppError('BAD_REQUEST', `at most ${NODE_PIPE_LIMITS.maxPipes} producers piped from one node`);
    const transport = await this.#pairOf(data).connected();
    const producer = await transport
      .produce<ProducerAppData>({
        id: producerId,
        kind: data.kind,
        rtpParameters: data.rtpParameters as types.RtpParameters,
        paused: data.paused,
        appData: data.appData,
      })
      .catch((error: unknown) => {
        throw toAppError(error, 'could not produce the pipe');
      });
    if (this.#closed) throw closedError();
    const ref: PipeRef = { producerId, consumerId };
    this.#released.delete(producerId);
    this.#imported.set(producerId, producer);
    this.#importedVia.set(producerId, consumerId);
    producer.observer.once('close', () => {
      if (this.#imported.get(producerId) === producer) {
        this.#imported.delete(producerId);
        this.#importedVia.delete(producerId);
      }
      if (!this.#quiet.has(producer)) this.#channel.send('pipe.released', ref);
    });
    return {};
  }

  #importOf(ref: PipeRef): Producer | undefined {
    return this.#importedVia.get(ref.producerId) === ref.consumerId ? this.#imported.get(ref.producerId) : undefined;
  }

  #exportOf(ref: PipeRef): PipeExport | undefined {
    const consumer = this.#exported.get(ref.producerId);
    return consumer?.id === ref.consumerId ? consumer : undefined;
  }

  #closeQuietly(end: Producer | PipeExport | undefined): void {
    if (!end || end.closed) return;
    this.#quiet.add(end);
    end.close();
  }

  #shutdown(tell: boolean): void {
    if (this.#closed) return;
    if (tell) this.#channel.send('pipe.end', {}); // before #closed: a closed channel sends nothing
    this.#closed = true;
    this.#o.router.observer.off('close', this.#onRouterClose);
    this.#pair.close(); // closes the transports, so every pipe consumer and producer of this pair
    this.#layerPair.close();
    this.#exports.clear();
    this.#exported.clear();
    this.#importing.clear();
    this.#imported.clear();
    this.#importedVia.clear();
    this.#released.clear();
    this.emit('close');
    this.removeAllListeners();
  }
}

function closedError(): AppError {
  return new AppError('UNAVAILABLE', 'the pipes to this node are closed');
}
