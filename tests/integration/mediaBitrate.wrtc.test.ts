import dgram from 'node:dgram';
import { Device, type types as msc } from 'mediasoup-client';
import { BitrateGuard } from '@nomades/sfu';
import type { types } from 'mediasoup';
import type { Socket } from 'socket.io-client';
import * as assert from 'uvu/assert';
import { MEDIA_LIMITS } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import type { TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { joinBot, wrtcSuite } from '../helpers/wrtcSuite.js';
import { wrtc } from '../helpers/wrtcGlobals.js';

/**
 * Issue 10, finding 6: media flooding. A real WebRTC publisher (@roamhq/wrtc through
 * mediasoup-client) sends a picture of noise (incompressible: the encoder spends every bit it
 * is allowed) in 3 simulcast layers configured for 20 Mbit/s in all, and lies to the server
 * about them (declares no maxBitrate), as a hostile client would. What the SFU receives from
 * it, measured from the worker's byte counters over a window, must stay within the caps of
 * docs/spec/media.md (MEDIA-1…3).
 */
const test = wrtcSuite('media bitrate caps');

const WIDTH = 640;
const HEIGHT = 480;
const FPS = 30;

/** A participant that publishes a noise camera with whatever encodings it is given. */
class FloodPublisher {
  readonly device = new Device({ handlerName: 'Chrome111' });
  socket!: Socket;
  #send?: msc.Transport;
  readonly #source = new wrtc.nonstandard.RTCVideoSource();
  readonly #track: MediaStreamTrack = this.#source.createTrack();
  #timer?: NodeJS.Timeout;
  /** What the server is told about the encodings (a hostile client lies here). */
  declare: (rtpParameters: msc.RtpParameters) => msc.RtpParameters = (p) => p;

  async join(srv: TestServer, roomId: string): Promise<void> {
    this.socket = await connectSocket(srv.url, { token: await srv.mintToken(roomId, 'Flood'), roomId });
    const joined = await request(this.socket, 'join', {});
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msc.RtpCapabilities });
    await request(this.socket, 'setRtpCapabilities', { rtpCapabilities: this.device.rtpCapabilities as never });
    const params = (await request(this.socket, 'createTransport', { direction: 'send' })) as unknown as msc.TransportOptions;
    const send = (this.#send = this.device.createSendTransport(params));
    send.on('connect', ({ dtlsParameters }, done, fail) => {
      request(this.socket, 'connectTransport', { transportId: send.id, dtlsParameters }).then(() => done(), fail);
    });
    send.on('produce', ({ kind, rtpParameters }, done, fail) => {
      request(this.socket, 'produce', { transportId: send.id, kind, rtpParameters: this.declare(rtpParameters) as never, source: 'camera' }).then(
        ({ producerId }) => done({ id: producerId }),
        fail,
      );
    });
    const frames = noiseFrames(WIDTH, HEIGHT, 12);
    let n = 0;
    this.#timer = setInterval(() => this.#source.onFrame({ width: WIDTH, height: HEIGHT, data: frames[n++ % frames.length] }), 1000 / FPS);
  }

  produce(encodings?: msc.RtpEncodingParameters[]): Promise<msc.Producer> {
    return this.#send!.produce({ track: this.#track, encodings, stopTracks: false });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#send?.close();
    this.#track.stop();
    this.socket?.close();
  }
}

/** Random luma and chroma: nothing for the encoder to predict. */
function noiseFrames(width: number, height: number, count: number): Uint8ClampedArray[] {
  return Array.from({ length: count }, () => {
    const data = new Uint8ClampedArray(width * height * 1.5);
    for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 256) | 0;
    return data;
  });
}

function producerOf(srv: TestServer, roomId: string, producerId: string): types.Producer {
  const producer = srv.server.registry.get(roomId)?.media.localProducer(producerId);
  if (!producer) throw new Error('no such producer on the server');
  return producer;
}

const bytesIn = async (producer: types.Producer) => (await producer.getStats()).reduce((sum, s) => sum + s.byteCount, 0);

let flood: FloodPublisher | undefined;
test.after.each(() => {
  flood?.close();
  flood = undefined;
});

/** A VP8 camera's parameters as a client declares them, with these encodings. */
const declaredCamera = (encodings: Array<{ maxBitrate?: number }>) => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: encodings.map((e, i) => ({ ssrc: 11110 + i, ...e })),
  rtcp: { cname: 'declared' },
});

test('MEDIA-1: a camera whose encodings declare more than its cap is refused BAD_REQUEST', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Declared' });
  const socket = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Declarer'), roomId: id });
  try {
    await request(socket, 'join', {});
    const { id: transportId } = await request(socket, 'createTransport', { direction: 'send' });
    const produce = (encodings: Array<{ maxBitrate?: number }>) =>
      request(socket, 'produce', { transportId, kind: 'video', source: 'camera', rtpParameters: declaredCamera(encodings) as never }).then(
        () => 'accepted',
        (error: unknown) => (error instanceof RequestError ? error.error.code : String(error)),
      );
    const cap = MEDIA_LIMITS.maxBitrate.camera;
    assert.is(await produce([{ maxBitrate: cap + 1 }]), 'BAD_REQUEST', 'one encoding above the cap');
    assert.is(await produce([0.3, 0.3, 0.4].map((share) => ({ maxBitrate: Math.floor(cap * share) + 1 }))), 'BAD_REQUEST', 'simulcast layers add up');
    assert.equal(srv.server.registry.get(id)!.media.producers(), [], 'no producer was created');
    assert.is(await produce([{ maxBitrate: cap }]), 'accepted', 'at the cap');
    assert.is(srv.server.registry.get(id)!.media.producers().length, 1);
  } finally {
    socket.close();
  }
});

test('MEDIA-2: a publisher whose encoder is set for 20 Mbit/s (declared: nothing) is held under the camera cap', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Flood' });
  flood = new FloodPublisher();
  await flood.join(srv, id);
  const viewer = await joinBot(ctx, id, 'Viewer', (b) => (b.publishVideo = false));
  // 20 Mbit/s configured in the encoder, nothing declared to the server.
  flood.declare = (p) => ({ ...p, encodings: p.encodings?.map(({ maxBitrate: _, ...e }) => e) });
  const producer = await flood.produce([
    { scaleResolutionDownBy: 4, maxBitrate: 4_000_000 },
    { scaleResolutionDownBy: 2, maxBitrate: 6_000_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 10_000_000 },
  ]);
  const onServer = producerOf(srv, id, producer.id);
  await waitFor('the viewer to receive the picture', () => [...viewer.remote.values()].some((r) => r.kind === 'video' && r.frames > 10), 20_000);
  // Congestion control ramps up for a few seconds; then three windows of the worker's counters.
  await new Promise((r) => setTimeout(r, 6000));
  assert.not.ok(onServer.closed, 'closed by MEDIA-3 while ramping up: the transport cap did not hold it');
  const cap = Math.max(MEDIA_LIMITS.maxBitrate.camera, MEDIA_LIMITS.minTransportBitrate);
  const rates: number[] = [];
  let last = { bytes: await bytesIn(onServer), at: performance.now() };
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    assert.not.ok(onServer.closed, `closed by MEDIA-3 after windows of ${rates.map((r) => (r / 1e6).toFixed(2)).join(', ')} Mbit/s: the transport cap did not hold it`);
    const now = { bytes: await bytesIn(onServer), at: performance.now() };
    rates.push(((now.bytes - last.bytes) * 8 * 1000) / (now.at - last.at));
    last = now;
  }
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  console.log(`  camera received: ${rates.map((r) => (r / 1e6).toFixed(2)).join(', ')} Mbit/s (cap ${(cap / 1e6).toFixed(2)})`);
  assert.not.ok(onServer.closed, 'a sender that follows congestion control is not cut off (MEDIA-3)');
  assert.ok(mean <= cap * 1.15, `mean ${(mean / 1e6).toFixed(2)} Mbit/s within the cap + 15 %`);
  assert.ok(Math.max(...rates) <= cap * 1.3, 'no window far above the cap');
  // It does push: the cap, not an idle encoder, is what holds it.
  assert.ok(mean >= cap * 0.4, `the publisher pushes (mean ${(mean / 1e6).toFixed(2)} Mbit/s)`);
});

/** Plain RTP at `bitsPerSecond` to a port, ignoring every feedback: the sender MEDIA-3 is for. */
function rtpFlood(port: number, ssrc: number, bitsPerSecond: number, payloadBytes: number): () => void {
  const socket = dgram.createSocket('udp4');
  const perTick = (bitsPerSecond / 8 / (payloadBytes + 12)) / 100; // packets per 10 ms
  let seq = 0;
  let owed = 0;
  const timer = setInterval(() => {
    for (owed += perTick; owed >= 1; owed--) {
      const packet = Buffer.alloc(12 + payloadBytes);
      packet[0] = 0x80;
      packet[1] = 100; // payload type
      packet.writeUInt16BE(seq++ & 0xffff, 2);
      packet.writeUInt32BE((seq * 960) >>> 0, 4);
      packet.writeUInt32BE(ssrc, 8);
      for (let i = 12; i < packet.length; i++) packet[i] = (Math.random() * 256) | 0;
      socket.send(packet, port, '127.0.0.1');
    }
  }, 10);
  return () => {
    clearInterval(timer);
    socket.close();
  };
}

test('MEDIA-3: a sender that ignores congestion control is closed when it goes past its cap; one within it is not', async (ctx) => {
  const { router } = await ctx.srv!.server.pool.createRouter({ roomId: 'media-3' });
  const stops: Array<() => void> = [];
  try {
    const producerOn = async (ssrc: number, bitsPerSecond: number, payloadBytes: number) => {
      const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
        appData: { peerId: `p${ssrc}`, source: 'microphone' as const },
      });
      stops.push(rtpFlood(transport.tuple.localPort, ssrc, bitsPerSecond, payloadBytes));
      return producer;
    };
    const cap = MEDIA_LIMITS.maxBitrate.microphone;
    const honest = await producerOn(1111, cap / 2, 160);
    const flooding = await producerOn(2222, cap * 6, 1000);
    const reports: Array<{ producer: string; bitsPerSecond: number }> = [];
    const guard = new BitrateGuard((producer, bitsPerSecond) => reports.push({ producer: producer.id, bitsPerSecond }), 1000);
    // The honest one is measured first in every pass: when the flood is reported, it was measured too.
    guard.watch(honest);
    guard.watch(flooding);
    try {
      const report = await waitFor('the flood to be reported', () => reports.find((r) => r.producer === flooding.id), 15_000);
      assert.ok(report.bitsPerSecond > cap * MEDIA_LIMITS.bitrateTolerance, `reported at ${report.bitsPerSecond} bit/s`);
      assert.ok(report.bitsPerSecond > cap * 4, `measured near what is sent (${report.bitsPerSecond} bit/s for ${cap * 6})`);
      assert.not.ok(reports.some((r) => r.producer === honest.id), 'the sender within its cap is not reported');
    } finally {
      guard.close();
    }
  } finally {
    for (const stop of stops) stop();
    router.close();
  }
});

test('MEDIA-3: in a room, a camera past its cap is closed and the others are told', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Guarded' });
  const viewer = await joinBot(ctx, id, 'Viewer', (b) => (b.publishVideo = false));
  const room = srv.server.registry.get(id)!;
  // A sender that ignores congestion control, emulated by lifting its transport's cap (MEDIA-2)
  // on the server: only the measured bitrate (MEDIA-3) is left to hold it.
  const transports: types.Transport[] = [];
  room.media.router.observer.on('newtransport', (t) => transports.push(t));
  flood = new FloodPublisher();
  await flood.join(srv, id);
  flood.declare = (p) => ({ ...p, encodings: p.encodings?.map(({ maxBitrate: _, ...e }) => e) });
  const closed = new Promise<string>((resolve) => viewer.socket.on('producerClosed', ({ producerId }: { producerId: string }) => resolve(producerId)));
  const peer = [...room.peers()].find((p) => p.displayName === 'Flood')!;
  const exceeded = new Promise<number>((resolve) => peer.media.once('bitrateexceeded', (_p, bitsPerSecond) => resolve(bitsPerSecond)));
  const producer = await flood.produce([
    { scaleResolutionDownBy: 4, maxBitrate: 4_000_000 },
    { scaleResolutionDownBy: 2, maxBitrate: 6_000_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 10_000_000 },
  ]);
  for (const t of transports) await (t as types.WebRtcTransport).setMaxIncomingBitrate(100_000_000);
  const bitsPerSecond = await Promise.race([exceeded, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('not closed within 40 s')), 40_000))]);
  assert.ok(bitsPerSecond > MEDIA_LIMITS.maxBitrate.camera * MEDIA_LIMITS.bitrateTolerance, `measured ${bitsPerSecond} bit/s`);
  assert.is(await closed, producer.id, 'the viewer is told the camera closed');
  assert.not.ok(room.media.findProducer(producer.id), 'the producer is gone from the room');
  console.log(`  camera closed at ${(bitsPerSecond / 1e6).toFixed(2)} Mbit/s`);
});

exitAfterRun(test);
