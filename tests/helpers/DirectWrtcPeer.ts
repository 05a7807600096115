import { Device, type types as msc } from 'mediasoup-client';
import type { types } from 'mediasoup';
import type { MediaSource } from '@nomades/shared';
import type { ProducerAppData } from '@nomades/sfu';
import { wrtc } from './wrtcGlobals.js';

/** What one consumer of a DirectWrtcPeer received. */
export interface ReceivedTrack {
  /** The mediasoup consumer, on the router. */
  consumer: types.Consumer;
  kind: 'audio' | 'video';
  /** Decoded video frames / received 10 ms audio chunks, counted by wrtc sinks. */
  frames: number;
  /** When the first frame or chunk arrived (Date.now()), 0 until then. */
  firstAt: number;
}

/**
 * Real WebRTC (@roamhq/wrtc through mediasoup-client) wired straight to a mediasoup router, with
 * no signaling server in between: the test plays the server's part by calling the router's
 * transports itself. For tests of the media layer alone (pipes between routers or nodes).
 */
export class DirectWrtcPeer {
  readonly device = new Device({ handlerName: 'Chrome111' });
  readonly router: types.Router;
  /** Server-side transports of this peer (to tell them from pipe transports in a router dump). */
  readonly serverTransports: types.WebRtcTransport[] = [];
  readonly received: ReceivedTrack[] = [];
  readonly #webRtcServer: types.WebRtcServer;
  readonly #sinks: Array<{ stop(): void }> = [];
  #send?: msc.Transport;
  #recv?: msc.Transport;
  #closed = false;

  private constructor(router: types.Router, webRtcServer: types.WebRtcServer) {
    this.router = router;
    this.#webRtcServer = webRtcServer;
  }

  static async create(router: types.Router, webRtcServer: types.WebRtcServer): Promise<DirectWrtcPeer> {
    const peer = new DirectWrtcPeer(router, webRtcServer);
    await peer.device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
    return peer;
  }

  /** Publishes `track`; resolves with the router's producer (appData {peerId, source}). */
  async produce(track: MediaStreamTrack, appData: { peerId: string; source: MediaSource }, encodings?: msc.RtpEncodingParameters[]): Promise<types.Producer<ProducerAppData>> {
    this.#send ??= await this.#transport('send');
    const serverProducer = new Promise<types.Producer<ProducerAppData>>((resolve, reject) => {
      this.#send!.once('produce', ({ kind, rtpParameters }, done, fail) => {
        const transport = this.serverTransports.find((t) => t.id === this.#send!.id)!;
        transport
          .produce<ProducerAppData>({ kind, rtpParameters: rtpParameters as types.RtpParameters, appData })
          .then((producer) => (done({ id: producer.id }), resolve(producer)))
          .catch((error: Error) => (fail(error), reject(error)));
      });
    });
    await this.#send.produce({ track, encodings });
    return serverProducer;
  }

  /** Consumes a producer of the router (created paused, resumed once set up here); counts what arrives. */
  async consume(producerId: string): Promise<ReceivedTrack> {
    this.#recv ??= await this.#transport('recv');
    const transport = this.serverTransports.find((t) => t.id === this.#recv!.id)!;
    const consumer = await transport.consume({ producerId, rtpCapabilities: this.device.rtpCapabilities as types.RtpCapabilities, paused: true });
    const local = await this.#recv.consume({ id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters as msc.RtpParameters });
    const received: ReceivedTrack = { consumer, kind: consumer.kind, frames: 0, firstAt: 0 };
    const count = () => received.frames++ === 0 && (received.firstAt = Date.now());
    if (consumer.kind === 'video') {
      const sink = new wrtc.nonstandard.RTCVideoSink(local.track);
      sink.onframe = count;
      this.#sinks.push(sink);
    } else {
      const sink = new wrtc.nonstandard.RTCAudioSink(local.track);
      sink.ondata = count;
      this.#sinks.push(sink);
    }
    this.received.push(received);
    await consumer.resume();
    return received;
  }

  async #transport(direction: 'send' | 'recv'): Promise<msc.Transport> {
    const server = await this.router.createWebRtcTransport({ webRtcServer: this.#webRtcServer, enableUdp: true, enableTcp: false, preferUdp: true });
    this.serverTransports.push(server);
    const options = {
      id: server.id,
      iceParameters: server.iceParameters,
      iceCandidates: server.iceCandidates,
      dtlsParameters: server.dtlsParameters,
    } as unknown as msc.TransportOptions;
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      server.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }).then(done, fail);
    });
    return transport;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sink of this.#sinks) sink.stop();
    this.#send?.close();
    this.#recv?.close();
    for (const t of this.serverTransports) t.close();
  }
}
