import dgram from 'node:dgram';
import type { types } from 'mediasoup';
import { COUNTER_OFFSET } from './RtpSender.js';

/**
 * A consumer of one producer on a PlainTransport that sends to a UDP socket of the test, which
 * notes the arrival time (performance.now()) of each RtpSender counter it receives. RTCP from
 * mediasoup (sender reports) is told apart and counted; probation and padding packets are skipped.
 */
export class RtpReceiver {
  readonly transport: types.PlainTransport;
  readonly consumer: types.Consumer;
  /** Counter → arrival time of its first copy. */
  readonly arrivals = new Map<number, number>();
  packets = 0;
  rtcpPackets = 0;
  readonly #socket: dgram.Socket;
  #closed = false;

  private constructor(transport: types.PlainTransport, consumer: types.Consumer, socket: dgram.Socket) {
    this.transport = transport;
    this.consumer = consumer;
    this.#socket = socket;
    const offset = COUNTER_OFFSET[consumer.kind];
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    socket.on('message', (msg) => {
      const at = performance.now();
      if (msg.length < 12) return;
      if (msg[1] >= 192 && msg[1] <= 223) {
        this.rtcpPackets++;
        return;
      }
      // Only media: not mediasoup's probation or padding-only packets (another SSRC, or the P bit).
      if (msg.readUInt32BE(8) !== ssrc || msg[0] & 0x20) return;
      const cc = msg[0] & 0x0f;
      let start = 12 + cc * 4;
      if (msg[0] & 0x10) start += 4 + msg.readUInt16BE(start + 2) * 4; // header extensions
      if (msg.length < start + offset + 4) return;
      this.packets++;
      const counter = msg.readUInt32BE(start + offset);
      if (!this.arrivals.has(counter)) this.arrivals.set(counter, at);
    });
  }

  /** A consumer of `producerId` on `router` (resumed unless `paused`), sending to a new socket. */
  static async create(router: types.Router, producerId: string, options: { listenIp?: string; paused?: boolean } = {}): Promise<RtpReceiver> {
    const listenIp = options.listenIp ?? '127.0.0.1';
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, listenIp, resolve));
    socket.setRecvBufferSize?.(4 * 1024 * 1024);
    const { transport, consumer } = await RtpReceiver.consumeTo(router, producerId, { ...options, listenIp, port: socket.address().port });
    return new RtpReceiver(transport, consumer, socket);
  }

  /** A PlainTransport consumer of `producerId` on `router` that sends to `listenIp`:`port` (a socket of the caller). */
  static async consumeTo(
    router: types.Router,
    producerId: string,
    options: { listenIp?: string; port: number; paused?: boolean },
  ): Promise<{ transport: types.PlainTransport; consumer: types.Consumer }> {
    const listenIp = options.listenIp ?? '127.0.0.1';
    const transport = await router.createPlainTransport({ listenIp: { ip: listenIp }, rtcpMux: true, comedia: false });
    await transport.connect({ ip: listenIp, port: options.port });
    const consumer = await transport.consume({ producerId, rtpCapabilities: withoutBwe(router.rtpCapabilities), paused: options.paused ?? false });
    return { transport, consumer };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.transport.close();
  }
}

/**
 * The router's capabilities without what drives mediasoup's bandwidth estimation (transport-cc,
 * REMB): this socket sends no feedback, so an estimate would only decay and make a simulcast
 * consumer drop to a lower layer. Without it, the consumer forwards its preferred layer.
 */
function withoutBwe(caps: types.RtpCapabilities): types.RtpCapabilities {
  const bwe = (uri: string) => uri.includes('transport-wide-cc') || uri.includes('abs-send-time');
  return {
    codecs: caps.codecs?.map((c) => ({ ...c, rtcpFeedback: c.rtcpFeedback?.filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb') })),
    headerExtensions: caps.headerExtensions?.filter((h) => !bwe(h.uri)),
  };
}
