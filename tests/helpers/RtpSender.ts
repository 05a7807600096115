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
  readonly #pictureId: number[];
  readonly #lastReport: number[] = [];
  readonly #sent: Array<{ packets: number; octets: number }>;
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
    this.#pictureId = options.ssrcs.map(() => 0);
    this.#sent = options.ssrcs.map(() => ({ packets: 0, octets: 0 }));
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

  /** Sends one packet on stream `index` (a one-packet frame for video); returns its counter. */
  send(index = 0, payloadBytes = this.kind === 'video' ? 1000 : 160): number {
    return this.sendFrame(index, 1, payloadBytes)[0];
  }

  /**
   * Sends one frame of `packets` packets on stream `index` (one RTP timestamp; for video a key
   * frame if one is due, the VP8 start bit on its first packet, the marker on its last); returns
   * the packets' counters.
   */
  sendFrame(index = 0, packets = 1, payloadBytes = this.kind === 'video' ? 1000 : 160): number[] {
    const ssrc = this.ssrcs[index];
    const video = this.kind === 'video';
    const timestamp = Math.floor(performance.now() * (video ? 90 : 48)) >>> 0;
    const key = video && this.#keyFrameDue.delete(ssrc);
    if (performance.now() - (this.#lastReport[index] ?? -Infinity) >= 500) this.#senderReport(index, timestamp);
    const pictureId = (this.#pictureId[index] = (this.#pictureId[index] + 1) & 0x7fff);
    const counters: number[] = [];
    for (let i = 0; i < packets; i++) {
      const counter = this.#counter++;
      const seq = (this.#seq[index] = (this.#seq[index] + 1) % 65536);
      const packet = Buffer.alloc(12 + payloadBytes);
      packet[0] = 0x80;
      packet[1] = (video && i === packets - 1 ? 0x80 : 0) | (video ? VP8_PT : OPUS_PT);
      packet.writeUInt16BE(seq, 2);
      packet.writeUInt32BE(timestamp, 4);
      packet.writeUInt32BE(ssrc, 8);
      const payload = packet.subarray(12);
      if (video) {
        payload[0] = i === 0 ? 0x90 : 0x80; // X=1; S=1 on the frame's first packet; partition 0
        payload[1] = 0x80; // I: a picture id follows
        payload[2] = 0x80 | (pictureId >> 8); // 15-bit picture id
        payload[3] = pictureId & 0xff;
        payload[4] = key ? 0x00 : 0x01; // VP8 payload header: P bit 0 = key frame
      }
      payload.writeUInt32BE(counter, COUNTER_OFFSET[this.kind]);
      this.sentAt.set(counter, performance.now());
      this.#sent[index].packets++;
      this.#sent[index].octets += payloadBytes;
      if (!this.#closed) this.#socket.send(packet);
      counters.push(counter);
    }
    return counters;
  }

  /**
   * An RTCP sender report of stream `index` (NTP time now ↔ `rtpTimestamp`), sent with its frames
   * every 500 ms: mediasoup switches a simulcast consumer between streams only once both have one.
   */
  #senderReport(index: number, rtpTimestamp: number): void {
    this.#lastReport[index] = performance.now();
    const report = Buffer.alloc(28);
    report[0] = 0x80;
    report[1] = 200; // SR
    report.writeUInt16BE(6, 2); // length in 32-bit words minus one
    report.writeUInt32BE(this.ssrcs[index], 4);
    const ntpMs = Date.now() + 2_208_988_800_000; // since 1900
    report.writeUInt32BE(Math.floor(ntpMs / 1000) >>> 0, 8);
    report.writeUInt32BE(Math.floor(((ntpMs % 1000) / 1000) * 2 ** 32) >>> 0, 12);
    report.writeUInt32BE(rtpTimestamp, 16);
    report.writeUInt32BE(this.#sent[index].packets >>> 0, 20);
    report.writeUInt32BE(this.#sent[index].octets >>> 0, 24);
    if (!this.#closed) this.#socket.send(report);
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
