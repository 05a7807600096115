import { Device, type types as msc } from 'mediasoup-client';
import type { types } from 'mediasoup';
import type { ConsumerView, MediaParticipant, TransportParams } from '@nomades/sfu';
import { SyntheticMedia } from './SyntheticMedia.js';
import { wrtc } from './wrtcGlobals.js';

/** What one consumer of a DirectParticipant received. */
export interface ReceivedStream {
  /** The participant's consumer (a MediaPeer's mediasoup consumer, or a RemoteMediaPeer's view). */
  consumer: ConsumerView;
  kind: 'audio' | 'video';
  /** Decoded video frames / received 10 ms audio chunks, counted by wrtc sinks. */
  frames: number;
  closed: boolean;
}

/**
 * A participant's client, real WebRTC (@roamhq/wrtc through mediasoup-client), wired straight to
 * a MediaParticipant (MediaPeer or RemoteMediaPeer) with no signaling server: the test plays the
 * server's request handlers by calling the participant's methods, as `requestHandlers.ts` does.
 */
export class DirectParticipant {
  readonly device = new Device({ handlerName: 'Chrome111' });
  readonly media: MediaParticipant;
  /** By producer id. */
  readonly received = new Map<string, ReceivedStream>();
  sendParams?: TransportParams;
  recvParams?: TransportParams;
  mic?: msc.Producer;
  camera?: msc.Producer;
  #send?: msc.Transport;
  #recv?: msc.Transport;
  #synthetic?: SyntheticMedia;
  readonly #locals = new Map<string, msc.Consumer>();
  readonly #sinks: Array<{ stop(): void }> = [];
  #closed = false;

  private constructor(media: MediaParticipant) {
    this.media = media;
    media.on('consumerclosed', (consumer) => {
      const stream = this.received.get(consumer.producerId);
      if (stream?.consumer.id === consumer.id) stream.closed = true;
      this.#locals.get(consumer.id)?.close();
    });
  }

  /** Loads the device with the room's capabilities, tells the participant its own, opens both transports. */
  static async join(media: MediaParticipant, routerRtpCapabilities: types.RtpCapabilities): Promise<DirectParticipant> {
    const p = new DirectParticipant(media);
    await p.device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
    await media.setRtpCapabilities(p.device.rtpCapabilities as types.RtpCapabilities);
    p.recvParams = await media.createTransport('recv');
    p.#recv = p.#transport('recv', p.recvParams);
    return p;
  }

  /** Publishes a synthetic microphone and camera (SyntheticMedia: a 440 Hz tone, a moving picture). */
  async publish(): Promise<void> {
    this.sendParams = await this.media.createTransport('send');
    this.#send = this.#transport('send', this.sendParams);
    this.#send.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      const source = appData.source as 'microphone' | 'camera';
      this.media.produce({ transportId: this.#send!.id, kind, rtpParameters: rtpParameters as types.RtpParameters, source }).then((p) => done({ id: p.id }), fail);
    });
    this.#synthetic = new SyntheticMedia(320, 240, 15);
    this.mic = await this.#send.produce({ track: this.#synthetic.audioTrack, appData: { source: 'microphone' } });
    this.camera = await this.#send.produce({ track: this.#synthetic.videoTrack, appData: { source: 'camera' } });
  }

  /** Consumes a producer of the room through the participant (created paused, resumed once set up here). */
  async consume(producerId: string): Promise<ReceivedStream> {
    const consumer = await this.media.consume(this.#recv!.id, producerId);
    const local = await this.#recv!.consume({ id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters as msc.RtpParameters });
    this.#locals.set(consumer.id, local);
    const stream: ReceivedStream = { consumer, kind: consumer.kind, frames: 0, closed: consumer.closed };
    this.received.set(producerId, stream);
    if (consumer.kind === 'video') {
      const sink = new wrtc.nonstandard.RTCVideoSink(local.track);
      sink.onframe = () => stream.frames++;
      this.#sinks.push(sink);
    } else {
      const sink = new wrtc.nonstandard.RTCAudioSink(local.track);
      sink.ondata = () => stream.frames++;
      this.#sinks.push(sink);
    }
    await this.media.resumeConsumer(consumer.id);
    return stream;
  }

  #transport(direction: 'send' | 'recv', params: TransportParams): msc.Transport {
    const options = params as unknown as msc.TransportOptions;
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.media.connectTransport(transport.id, dtlsParameters as types.DtlsParameters).then(done, fail);
    });
    return transport;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sink of this.#sinks) sink.stop();
    this.#synthetic?.close();
    this.#send?.close();
    this.#recv?.close();
  }
}
