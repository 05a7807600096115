import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MAX_PIPE_LAYERS } from '@nomades/shared';
import { outboundBytes } from './outboundBytes.js';
import type { PipeExport, PipeExportEvents } from './PipeExport.js';

/** Header extensions a layer stream keeps: no congestion control between nodes (see `create`), no mid/rid. */
const DROPPED_EXTENSIONS = /transport-wide-cc|abs-send-time|sdes:mid|rtp-stream-id/;
const KEPT_FEEDBACK = new Set(['nack', 'ccm']);

/**
 * SPAN-3b, source side: a simulcast camera or screen exported one stream per spatial layer. Each
 * layer is a simulcast consumer on the `layers` lane's PlainTransport, preferring that layer; the
 * destination produces the streams as one simulcast producer (one encoding per layer), so its
 * consumers choose layers as they would at the source. A layer's stream crosses only while the
 * destination wants it (`setDemand`): small tiles over there, only the lowest layer crosses.
 *
 * The consumers are made without congestion control (no transport-cc, no REMB): the link between
 * nodes is not the bottleneck a browser's is, and an estimate there would move a layer's consumer
 * to another layer. A layer the sender stops (bandwidth, CPU) is replaced in its stream by the
 * next one below, by mediasoup, until it comes back.
 */
export class LayeredPipe extends EventEmitter<PipeExportEvents> implements PipeExport {
  readonly lane = 'layers' as const;
  readonly kind: types.MediaKind;
  readonly rtpParameters: types.RtpParameters;
  readonly #consumers: types.Consumer[];
  /** The highest layer crossing (-1: none); all of them at first. */
  #demand: number;
  #closed = false;

  private constructor(producer: types.Producer, consumers: types.Consumer[]) {
    super();
    this.kind = producer.kind;
    this.#consumers = consumers;
    this.#demand = consumers.length - 1;
    const first = consumers[0]!;
    this.rtpParameters = {
      codecs: first.rtpParameters.codecs,
      headerExtensions: first.rtpParameters.headerExtensions,
      encodings: consumers.map((c, layer) => {
        const { ssrc, rtx } = c.rtpParameters.encodings![0]!;
        const scalabilityMode = producer.rtpParameters.encodings?.[layer]?.scalabilityMode;
        return { ssrc, ...(rtx ? { rtx } : {}), ...(scalabilityMode ? { scalabilityMode } : {}) };
      }),
      rtcp: { cname: first.rtpParameters.rtcp?.cname, reducedSize: true },
    };
    first.on('producerpause', () => this.emit('producerpause'));
    first.on('producerresume', () => this.emit('producerresume'));
    for (const c of consumers) c.observer.once('close', () => this.close());
  }

  /** Whether `producer` goes on the `layers` lane: a video of 2 to MAX_PIPE_LAYERS simulcast streams. */
  static fits(producer: types.Producer): boolean {
    const streams = producer.rtpParameters.encodings?.length ?? 0;
    return producer.kind === 'video' && producer.type === 'simulcast' && streams >= 2 && streams <= MAX_PIPE_LAYERS;
  }

  static async create(transport: types.PlainTransport, producer: types.Producer, routerCapabilities: types.RtpCapabilities): Promise<LayeredPipe> {
    const rtpCapabilities = withoutCongestionControl(routerCapabilities);
    const layers = producer.rtpParameters.encodings!.length;
    const made: types.Consumer[] = [];
    try {
      for (let spatialLayer = 0; spatialLayer < layers; spatialLayer++) {
        made.push(await transport.consume({ producerId: producer.id, rtpCapabilities, preferredLayers: { spatialLayer } }));
      }
    } catch (error) {
      for (const c of made) c.close();
      throw error;
    }
    return new LayeredPipe(producer, made);
  }

  get id(): string {
    return this.#consumers[0]!.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producerPaused(): boolean {
    return this.#consumers[0]!.producerPaused;
  }

  /** The highest layer whose stream crosses now (-1: none). */
  get demand(): number {
    return this.#demand;
  }

  async bytesSent(): Promise<number> {
    return outboundBytes(this.#consumers);
  }

  /** The layers above `spatialLayer` stop crossing; those up to it cross (a stream resumed starts with a key frame). */
  async setDemand(spatialLayer: number): Promise<void> {
    if (this.#closed || spatialLayer === this.#demand) return;
    this.#demand = spatialLayer;
    await Promise.all(
      this.#consumers.map((c, layer) => {
        if (c.closed) return undefined;
        const wanted = layer <= spatialLayer;
        if (wanted === !c.paused) return undefined;
        return (wanted ? c.resume() : c.pause()).catch(() => undefined);
      }),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#consumers) c.close();
    this.emit('close');
    this.removeAllListeners();
  }
}

/** The router's capabilities without what would run congestion control on the pipe. */
function withoutCongestionControl(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: caps.codecs?.map((codec) => ({ ...codec, rtcpFeedback: codec.rtcpFeedback?.filter((fb) => KEPT_FEEDBACK.has(fb.type)) })),
    headerExtensions: caps.headerExtensions?.filter((ext) => !DROPPED_EXTENSIONS.test(ext.uri)),
  };
}
