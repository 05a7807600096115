import dgram from 'node:dgram';
import type { types } from 'mediasoup';
import type { MediaSource } from '@nomades/shared';
import type { ProducerAppData } from '@nomades/sfu';

export const OPUS_PT = 100;
export const VP8_PT = 101;
/** Where the counter sits in the RTP payload: after the VP8 payload descriptor (4 bytes) and header byte. */
export const COUNTER_OFFSET = { audio: 0, video: 5 } as const;

export interface RtpSenderOptions {
  kind: 'audio' | 'video';
  appData: { peerId: string; source: MediaSource };
  /** One SSRC per stream; several make a simulcast-like producer (one encoding per SSRC). */
  ssrcs: number[];
  listenIp?: string;
  /**
   * How video answers a key-frame request: `next`, its next frame is a key frame (default);
   * `at-once`, a key frame is sent right away, as an encoder with a static picture would.
   */
  keyFrames?: 'next' | 'at-once';
}

/**
 * A producer fed with synthetic RTP from a UDP socket of the test (a PlainTransport in comedia
 * mode: mediasoup answers to where the packets come from). Audio packets look like Opus, video
 * packets like VP8 (a real payload descriptor, one packet per frame) so that mediasoup tells key
 * frames from delta frames. A video stream sends a key frame first, then only on request (PLI or
 * FIR from mediasoup, counted in `keyFrameRequests`): a lost request shows as no key frame.
 * Each packet carries a 32-bit counter at COUNTER_OFFSET of its payload, unique over all streams.
 */
export class RtpSender {
  readonly transport: types.PlainTransport;
  readonly producer: types.Producer<ProducerAppData>;
  readonly kind: 'audio' | 'video';
  readonly ssrcs: number[];
  /** Key-frame requests received per SSRC. */
  readonly keyFrameRequests = new Map<number, number>();
  /** Send time (performance.now()) of each counter. */
  readonly sentAt = new Map<number, number>();
  readonly #socket: dgram.Socket;
  readonly #seq: number[];
  readonly #keyFrameDue = new Set<number>();
  readonly #atOnce: boolean;
  #counter = 0;
  #closed = false;

  private constructor(transport: types.PlainTransport, producer: types.Producer<ProducerAppData>, socket: dgram.Socket, options: RtpSenderOptions) {
    this.transport = transport;
    this.producer = producer;
    this.kind = options.kind;
    this.ssrcs = options.ssrcs;
    this.#socket = socket;
    this.#atOnce = options.keyFrames === 'at-once';
    this.#seq = options.ssrcs.map((_, i) => (i * 10_000) % 65536);
    for (const ssrc of options.ssrcs) this.#keyFrameDue.add(ssrc);
    socket.on('message', (msg) => this.#rtcp(msg));
  }

  static async create(router: types.Router, options: RtpSenderOptions): Promise<RtpSender> {
    const listenIp = options.listenIp ?? '127.0.0.1';
    const transport = await router.createPlainTransport({ listenIp: { ip: listenIp }, rtcpMux: true, comedia: true });
    const video = options.kind === 'video';
    const producer = await transport.produce<ProducerAppData>({
      kind: options.kind,
      rtpParameters: {
        codecs: [
          video
            ? { mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }
            : { mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 },
        ],
        encodings: options.ssrcs.map((ssrc) => ({ ssrc })),
      },
      appData: options.appData,
    });
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, listenIp, resolve));
    socket.connect(transport.tuple.localPort, transport.tuple.localIp);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return new RtpSender(transport, producer, socket, options);
  }

  /** Sends one packet on stream `index` (a frame for video: a key frame if one is due); returns its counter. */
  send(index = 0, payloadBytes = this.kind === 'video' ? 1000 : 160): number {
    const ssrc = this.ssrcs[index];
    const counter = this.#counter++;
    const seq = (this.#seq[index] = (this.#seq[index] + 1) % 65536);
    const packet = Buffer.alloc(12 + payloadBytes);
    packet[0] = 0x80;
    packet[1] = 0x80 | (this.kind === 'video' ? VP8_PT : OPUS_PT); // marker: one packet per frame
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(Math.floor(performance.now() * (this.kind === 'video' ? 90 : 48)) >>> 0, 4);
    packet.writeUInt32BE(ssrc, 8);
    const payload = packet.subarray(12);
    if (this.kind === 'video') {
      const key = this.#keyFrameDue.delete(ssrc);
      const pictureId = counter & 0x7fff;
      payload[0] = 0x90; // X=1, S=1, partition 0
      payload[1] = 0x80; // I: a picture id follows
      payload[2] = 0x80 | (pictureId >> 8); // 15-bit picture id
      payload[3] = pictureId & 0xff;
      payload[4] = key ? 0x00 : 0x01; // VP8 payload header: P bit 0 = key frame
    }
    payload.writeUInt32BE(counter, COUNTER_OFFSET[this.kind]);
    this.sentAt.set(counter, performance.now());
    if (!this.#closed) this.#socket.send(packet);
    return counter;
  }

  /** PLI (PSFB 206, FMT 1) and FIR (FMT 4) from mediasoup: the next frame of that SSRC is a key frame. */
  #rtcp(msg: Buffer): void {
    for (let offset = 0; offset + 12 <= msg.length; ) {
      const fmt = msg[offset] & 0x1f;
      const pt = msg[offset + 1];
      const length = (msg.readUInt16BE(offset + 2) + 1) * 4;
      if (pt === 206 && (fmt === 1 || fmt === 4)) {
        const ssrc = fmt === 1 ? msg.readUInt32BE(offset + 8) : msg.length >= offset + 16 ? msg.readUInt32BE(offset + 12) : 0;
        if (this.ssrcs.includes(ssrc)) {
          this.#keyFrameDue.add(ssrc);
          this.keyFrameRequests.set(ssrc, (this.keyFrameRequests.get(ssrc) ?? 0) + 1);
          if (this.#atOnce) this.send(this.ssrcs.indexOf(ssrc));
        }
      }
      offset += length;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.transport.close();
  }
}
