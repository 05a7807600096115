import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import type { ProducerAppData } from './MediaPeerTypes.js';
import { TapLayerFollower } from './TapLayerFollower.js';
import { toAppError } from './toAppError.js';

export interface RecordingTapTarget {
  /** Where the recorder's ffmpeg listens. */
  ip: string;
  rtpPort: number;
  rtcpPort: number;
}

export type RecordingTapEvents = {
  /** The tap closed (explicitly, with its producer, or with the router). */
  close: [];
};

/**
 * One producer sent to the recorder as plain RTP: a PlainTransport (comedia off, RTCP on its own
 * port, as ffmpeg's SDP demuxer expects) and a consumer on it, created paused so that the
 * recorder can start ffmpeg first, then `resume()` (which asks the sender for a key frame).
 * No transcoding happens here: the packets are forwarded as the producer sends them. Of a
 * simulcast video, the highest layer the sender really sends (TapLayerFollower).
 */
export class RecordingTap extends EventEmitter<RecordingTapEvents> {
  readonly producerId: string;
  readonly transport: types.PlainTransport;
  readonly consumer: types.Consumer;
  readonly #layers?: TapLayerFollower;
  #closed = false;

  private constructor(producer: types.Producer, transport: types.PlainTransport, consumer: types.Consumer) {
    super();
    this.producerId = producer.id;
    this.transport = transport;
    this.consumer = consumer;
    if (consumer.type === 'simulcast') this.#layers = new TapLayerFollower(producer, consumer);
    consumer.observer.once('close', () => this.close());
    transport.observer.once('close', () => this.close());
  }

  static async create(
    router: types.Router,
    producer: types.Producer<ProducerAppData>,
    listenIp: string,
    target: RecordingTapTarget,
  ): Promise<RecordingTap> {
    const transport = await router.createPlainTransport({ listenIp: { ip: listenIp }, rtcpMux: false, comedia: false });
    try {
      await transport.connect({ ip: target.ip, port: target.rtpPort, rtcpPort: target.rtcpPort });
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
      return new RecordingTap(producer, transport, consumer);
    } catch (error) {
      transport.close();
      throw toAppError(error, 'could not create the recording tap');
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The codec the recorder must declare in its SDP (one codec: no RTX is negotiated). */
  get codec(): { mimeType: string; payloadType: number; clockRate: number; channels?: number; ssrc?: number } {
    const codec = this.consumer.rtpParameters.codecs[0];
    if (!codec) throw new AppError('MEDIA_ERROR', 'the recording consumer has no codec');
    return {
      mimeType: codec.mimeType,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      channels: codec.channels,
      ssrc: this.consumer.rtpParameters.encodings?.[0]?.ssrc,
    };
  }

  /** Starts forwarding and asks for a key frame so that the video file starts decodable. */
  async resume(): Promise<void> {
    if (this.#closed) throw new AppError('NOT_FOUND', 'the recording tap is closed');
    await this.consumer.resume();
    if (this.consumer.kind === 'video') await this.consumer.requestKeyFrame();
  }

  async requestKeyFrame(): Promise<void> {
    if (!this.#closed && this.consumer.kind === 'video') await this.consumer.requestKeyFrame();
  }

  /** Closes the consumer and the transport. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#layers?.close();
    this.transport.close();
    this.emit('close');
    this.removeAllListeners();
  }
}
