import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { NodePipes, WorkerPool, type ProducerAppData } from '@nomades/sfu';
import { DirectWrtcPeer, type ReceivedTrack } from '../helpers/DirectWrtcPeer.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { MemoryNodeChannel } from '../helpers/MemoryNodeChannel.js';
import { RtpReceiver } from '../helpers/RtpReceiver.js';
import { RtpSender } from '../helpers/RtpSender.js';
import { SyntheticMedia } from '../helpers/SyntheticMedia.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * SPAN-3/4 (docs/spec/span.md): NodePipes between two "hosts", each a WorkerPool with its own
 * mediasoup worker process and port range, over an in-memory NodeChannel that JSON-serialises
 * every message. Real WebRTC senders and receivers (wrtc + mediasoup-client) on both sides, and
 * synthetic RTP where the test must control key frames.
 */
type Producer = types.Producer<ProducerAppData>;

/** One side of a room: a router of a node and the room's producers on it. */
interface Side {
  router: types.Router;
  producers: Map<string, Producer>;
  /** Ids of the pipe transports ever created on this router. */
  pipeIds: Set<string>;
}

interface Ctx {
  pools: WorkerPool[];
  a: Side;
  b: Side;
  chanA: MemoryNodeChannel;
  pa: NodePipes;
  pb: NodePipes;
  warnings: string[];
  sender: DirectWrtcPeer;
  receiver: DirectWrtcPeer;
  closers: Array<{ close(): void }>;
  cam: Producer;
  mic: Producer;
  cam2: Producer;
  mic2: Producer;
  received: Map<string, ReceivedTrack>;
}

const pipes = suite<Ctx>('node pipes', { closers: [], warnings: [], received: new Map() } as unknown as Ctx);

const pool = (minPort: number) =>
  WorkerPool.create({ numWorkers: 1, listenIp: '127.0.0.1', basePort: 0, rtcMinPort: minPort, rtcMaxPort: minPort + 999, workerBin: process.env.MEDIASOUP_WORKER_BIN });

async function side(p: WorkerPool): Promise<Side> {
  const { router } = await p.createRouter({ roomId: 'spanned' });
  const s: Side = { router, producers: new Map(), pipeIds: new Set() };
  // Both lanes: PipeTransports, and the PlainTransports of simulcast videos' layers (SPAN-3b).
  router.observer.on('newtransport', (t) => t.appData.pipeLane && s.pipeIds.add(t.id));
  return s;
}

/** The pipe transports of this side that the worker still has (its dump is the truth). */
async function livePipes(s: Side): Promise<string[]> {
  if (s.router.closed) return [];
  const dump = await s.router.dump();
  return (dump.transportIds as string[]).filter((id) => s.pipeIds.has(id));
}

function between(a: Side, b: Side, options: { trustedA?: boolean; trustedB?: boolean; warnings?: string[]; latencyMs?: number } = {}) {
  const [chanA, chanB] = MemoryNodeChannel.pair('node-a', 'node-b', { latencyMs: options.latencyMs });
  const logger = { warn: (fields: object, message: string) => options.warnings?.push(`${message} ${JSON.stringify(fields)}`) };
  const common = { listenIp: '127.0.0.1', logger };
  const pa = new NodePipes({ ...common, router: a.router, channel: chanA, trusted: options.trustedA, findProducer: (id: string) => a.producers.get(id) });
  const pb = new NodePipes({ ...common, router: b.router, channel: chanB, trusted: options.trustedB, findProducer: (id: string) => b.producers.get(id) });
  return { chanA, chanB, pa, pb };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.instance(error, AppError, `expected an AppError, got ${String(error)}`);
  return (error as AppError).code;
}

pipes.before(async (ctx) => {
  ctx.pools = [await pool(46000), await pool(47000)];
  ctx.a = await side(ctx.pools[0]);
  ctx.b = await side(ctx.pools[1]);
  Object.assign(ctx, between(ctx.a, ctx.b, { warnings: ctx.warnings }));
  ctx.sender = await DirectWrtcPeer.create(ctx.a.router, ctx.pools[0].workers[0].webRtcServer);
  ctx.receiver = await DirectWrtcPeer.create(ctx.b.router, ctx.pools[1].workers[0].webRtcServer);
  ctx.closers.push(ctx.sender, ctx.receiver);
  // Alice: microphone and a simulcast camera (3 layers); Bob: microphone and a single-layer camera.
  const alice = new SyntheticMedia(960, 540, 15);
  const bob = new SyntheticMedia(320, 240, 15);
  ctx.closers.push(alice, bob);
  const simulcast = [
    { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
    { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
  ];
  ctx.mic = await ctx.sender.produce(alice.audioTrack, { peerId: 'alice', source: 'microphone' });
  ctx.cam = await ctx.sender.produce(alice.videoTrack, { peerId: 'alice', source: 'camera' }, simulcast);
  ctx.mic2 = await ctx.sender.produce(bob.audioTrack, { peerId: 'bob', source: 'microphone' });
  ctx.cam2 = await ctx.sender.produce(bob.videoTrack, { peerId: 'bob', source: 'camera' });
  for (const p of [ctx.mic, ctx.cam, ctx.mic2, ctx.cam2]) ctx.a.producers.set(p.id, p);
});

pipes.after(async (ctx) => {
  for (const c of ctx.closers.reverse()) c.close();
  for (const p of ctx.pools ?? []) p.close();
  await Promise.all((ctx.pools ?? []).map((p) => p.exited()));
});

pipes('SPAN-3: nothing crosses before a pipe is asked for', async (ctx) => {
  await waitFor('the camera reaches node A', async () => (await ctx.cam.getStats()).length > 0, 10_000);
  assert.is(ctx.pa.transport, undefined);
  assert.is(ctx.pb.transport, undefined);
  assert.equal(ctx.chanA.log, [], 'no message on the channel');
  assert.equal(await livePipes(ctx.a), []);
  assert.equal(await livePipes(ctx.b), []);
});

pipes('SPAN-3: pipeOut brings a simulcast camera and a microphone from A to B, once, with SRTP', async (ctx) => {
  const { pa, pb, cam, mic } = ctx;
  await Promise.all([pa.pipeOut(cam.id), pa.pipeOut(cam.id), pa.pipeOut(mic.id), pa.pipeOut(mic.id)]);
  assert.is(pa.exported.size, 2, 'one export per producer');
  assert.is(pa.exported.get(mic.id)!.lane, 'pipe', 'the microphone through a pipe consumer');
  assert.is(pa.exported.get(cam.id)!.lane, 'layers', 'the simulcast camera one stream per layer (SPAN-3b)');
  const ids = (ts: Array<{ id: string }>) => ts.map((t) => t.id).sort();
  assert.equal((await livePipes(ctx.a)).sort(), ids(pa.transports), 'one transport per lane on A');
  assert.equal((await livePipes(ctx.b)).sort(), ids(pb.transports), 'one transport per lane on B');
  assert.is(pa.transports.length, 2);
  const camB = pb.imported.get(cam.id)!;
  assert.ok(camB, 'the camera is a producer on B, same id');
  assert.equal(camB.appData, { peerId: 'alice', source: 'camera' });
  assert.is(camB.type, 'simulcast');
  assert.is(camB.rtpParameters.encodings?.length, 3, 'all three layers are declared on B');
  assert.equal(pb.imported.get(mic.id)!.appData, { peerId: 'alice', source: 'microphone' });
  // SRTP: each end's key crossed once each way, and both transports encrypt.
  const connects = [...ctx.chanA.crossed('pipe.connect'), ...ctx.chanA.crossed('pipe.connect', 'response')] as Array<{ srtpParameters?: { keyBase64: string } }>;
  assert.ok(connects.length >= 2 && connects.every((c) => c.srtpParameters?.keyBase64), 'srtpParameters exchanged both ways');
  assert.ok([...pa.transports, ...pb.transports].every((t) => t.srtpParameters), 'every transport of both lanes encrypts');

  const video = await ctx.receiver.consume(cam.id);
  const audio = await ctx.receiver.consume(mic.id);
  ctx.received.set(cam.id, video);
  await waitFor('video frames on B', () => video.frames >= 15, 15_000);
  await waitFor('audio on B', () => audio.frames >= 100, 10_000);
  // Every layer A receives crosses while nothing asks for less: at least two of the three (the top
  // one needs the sender's bandwidth estimate to reach 900 kbit/s first).
  await waitFor('the layers of A in the pipe producer on B', async () => {
    const [onA, onB] = [(await cam.getStats()).length, (await camB.getStats()).length];
    return onA >= 2 && onB === onA;
  }, 15_000, 250);
  const stats = await Promise.all(pb.transports.map(async (t) => (await t.getStats())[0]!.rtpBytesReceived));
  assert.ok(stats.every((bytes) => bytes > 5_000), `bytes through each lane: ${stats}`);
});

/** Bytes per second of each layer's stream of a producer on B, over `ms`. */
async function layerRates(producer: Producer, ms: number): Promise<number[]> {
  const bytes = async () => {
    const byStream = new Map((await producer.getStats()).map((s) => [s.ssrc, s.byteCount]));
    return (producer.rtpParameters.encodings ?? []).map((e) => byStream.get(e.ssrc!) ?? 0);
  };
  const before = await bytes();
  await sleep(ms);
  const after = await bytes();
  return after.map((b, i) => Math.round(((b - before[i]!) * 1000) / ms));
}

pipes('SPAN-3b: the streams of the layers above what B asks for stop crossing, and come back with a key frame', async (ctx) => {
  const { pb, cam } = ctx;
  const camB = pb.imported.get(cam.id)!;
  const video = ctx.received.get(cam.id)!;
  const all = await layerRates(camB, 2_000);
  assert.ok(all.filter((r) => r > 0).length >= 2, `at least two layers cross while nothing asks for less: ${all} B/s`);
  // B's consumer takes the lowest layer, as a small tile does; B asks A for layer 0 only.
  await video.consumer.setPreferredLayers({ spatialLayer: 0 });
  await waitFor('the consumer on B is on layer 0', () => video.consumer.currentLayers?.spatialLayer === 0, 5_000, 20);
  pb.setDemand(cam.id, 0);
  await sleep(300);
  const framesBefore = video.frames;
  const low = await layerRates(camB, 2_000);
  assert.ok(low[0]! > 5_000, `layer 0 still crosses: ${low[0]} B/s`);
  assert.ok(low.slice(1).every((r) => r === 0), `nothing of layers 1 and 2 crosses: ${low} B/s`);
  assert.ok(video.frames >= framesBefore + 20, 'B still decodes the camera from layer 0');
  const [sum, sumLow] = [all.reduce((a, b) => a + b), low.reduce((a, b) => a + b)];
  console.log(`  piped camera: ${Math.round((sum * 8) / 1000)} kbit/s with every layer, ${Math.round((sumLow * 8) / 1000)} kbit/s with layer 0 asked (${(sum / sumLow).toFixed(1)}×)`);
  // B asks for everything again: the upper streams come back, each starting with a key frame.
  const keyFrames: number[] = [];
  await cam.enableTraceEvent(['keyframe']);
  cam.on('trace', (t) => t.type === 'keyframe' && keyFrames.push(Date.now()));
  const asked = Date.now();
  pb.setDemand(cam.id, 2);
  await waitFor('layer 1 crosses again', async () => (await layerRates(camB, 200))[1]! > 0, 5_000, 0);
  console.log(`  layer 1 crossing again ${Date.now() - asked} ms after B asked`);
  assert.ok(keyFrames.some((t) => t >= asked), 'A was asked for a key frame of the resumed layers');
  await cam.enableTraceEvent([]);
  await video.consumer.setPreferredLayers({ spatialLayer: 2 });
});

pipes('SPAN-3b: a late consumer on B of a layered import gets a key frame across (RTCP through the PlainTransport lane)', async (ctx) => {
  const { cam } = ctx;
  const keyFrames: number[] = [];
  await cam.enableTraceEvent(['keyframe']);
  cam.on('trace', (t) => t.type === 'keyframe' && keyFrames.push(Date.now()));
  await sleep(1_500); // no key frame comes by itself meanwhile
  const late = await DirectWrtcPeer.create(ctx.b.router, ctx.pools[1].workers[0].webRtcServer);
  ctx.closers.push(late);
  const asked = Date.now();
  const video = await late.consume(cam.id);
  await waitFor('the late consumer decodes frames', () => video.frames >= 5, 4_000, 20);
  assert.ok(keyFrames.some((t) => t >= asked), 'A received a key frame after B asked');
  console.log(`  late consumer of a layered import: first frame ${video.firstAt - asked} ms after its consume`);
  await cam.enableTraceEvent([]);
  late.close();
});

pipes('SPAN-3b: B asking for nothing (-1) stops every stream of the camera; the microphone\'s pipe pauses and resumes', async (ctx) => {
  const { pb, cam, mic } = ctx;
  const camB = pb.imported.get(cam.id)!;
  pb.setDemand(cam.id, -1);
  pb.setDemand(mic.id, -1);
  await sleep(300);
  assert.equal(await layerRates(camB, 1_000), [0, 0, 0], 'no stream of the camera crosses');
  const micB = pb.imported.get(mic.id)!;
  const micBytes = async () => (await micB.getStats()).reduce((n, s) => n + s.byteCount, 0);
  const m0 = await micBytes();
  await sleep(500);
  assert.is(await micBytes(), m0, 'nothing of the microphone crosses');
  pb.setDemand(cam.id, 2);
  pb.setDemand(mic.id, 0);
  await waitFor('the camera crosses again', async () => (await layerRates(camB, 200))[0]! > 0, 5_000, 0);
  await waitFor('the microphone crosses again', async () => (await micBytes()) > m0, 5_000, 50);
});

pipes('SPAN-3: pipeIn pulls producers of A to B (same id, appData, paused state), concurrent calls share one pipe', async (ctx) => {
  const { pa, pb, cam2, mic2 } = ctx;
  await mic2.pause();
  const [p1, p1again, p2] = await Promise.all([pb.pipeIn(cam2.id), pb.pipeIn(cam2.id), pb.pipeIn(mic2.id)]);
  assert.is(p1, p1again);
  assert.is(p1.id, cam2.id);
  assert.equal(p1.appData, { peerId: 'bob', source: 'camera' });
  assert.is(p1.paused, false);
  assert.is(p2.paused, true, 'a paused microphone arrives paused');
  assert.is(await pb.pipeIn(cam2.id), p1, 'a second pipeIn reuses the pipe');
  assert.is(pa.exported.size, 4);
  assert.is((await livePipes(ctx.a)).length, 2, 'the same transport pairs (one per lane)');
  assert.is(await codeOf(pb.pipeIn('no-such-producer')), 'NOT_FOUND');
  const video = await ctx.receiver.consume(cam2.id);
  ctx.received.set(cam2.id, video);
  await mic2.resume();
  await waitFor('the microphone resumes on B', () => !p2.paused, 5_000, 20);
  const audio = await ctx.receiver.consume(mic2.id);
  ctx.received.set(mic2.id, audio);
  await waitFor('video frames through pipeIn', () => video.frames >= 15, 15_000);
  await waitFor('audio through pipeIn', () => audio.frames >= 100, 10_000);
});

pipes('SPAN-4: pause, resume and close of the source reach B; release() closes the pipe consumer on A', async (ctx) => {
  const { pa, pb, cam2, mic2 } = ctx;
  const video = ctx.received.get(cam2.id)!;
  await cam2.pause();
  await waitFor('paused on B', () => pb.imported.get(cam2.id)?.paused, 5_000, 20);
  await waitFor('the consumer on B sees it', () => video.consumer.producerPaused, 5_000, 20);
  await cam2.resume();
  await waitFor('resumed on B', () => pb.imported.get(cam2.id)?.paused === false, 5_000, 20);
  const before = video.frames;
  await waitFor('frames again after resume', () => video.frames >= before + 10, 10_000);

  const pipeConsumer = pa.exported.get(cam2.id)!;
  pb.release(cam2.id);
  assert.not.ok(pb.imported.has(cam2.id), 'released at once on B');
  await waitFor('the pipe consumer on A closes', () => pipeConsumer.closed, 5_000, 20);
  assert.not.ok(pa.exported.has(cam2.id));
  await waitFor('the consumer on B closes', () => video.consumer.closed, 5_000, 20);

  const micPipe = pa.exported.get(mic2.id)!;
  const audio = ctx.received.get(mic2.id)!;
  mic2.close();
  ctx.a.producers.delete(mic2.id);
  await waitFor('the microphone closes on B', () => !pb.imported.has(mic2.id), 5_000, 20);
  assert.ok(micPipe.closed && audio.consumer.closed);
  // A released producer can be piped again: a new pipe consumer.
  const again = await pb.pipeIn(cam2.id);
  assert.is.not(pa.exported.get(cam2.id)!.id, pipeConsumer.id);
  assert.not.ok(again.closed);
});

pipes('SPAN-4: a consumer created on B long after the producer started gets frames quickly (the key-frame request crossed)', async (ctx) => {
  const { cam2 } = ctx;
  const keyFrames: number[] = [];
  await cam2.enableTraceEvent(['keyframe']);
  cam2.on('trace', (t) => t.type === 'keyframe' && keyFrames.push(Date.now()));
  await sleep(1_500); // the camera has been sending for seconds: no key frame comes by itself
  const late = await DirectWrtcPeer.create(ctx.b.router, ctx.pools[1].workers[0].webRtcServer);
  ctx.closers.push(late);
  const asked = Date.now();
  const video = await late.consume(cam2.id);
  await waitFor('the late consumer decodes frames', () => video.frames >= 5, 4_000, 20);
  assert.ok(keyFrames.some((t) => t >= asked), 'A received a key frame after B asked');
  console.log(`  late consumer: first frame ${video.firstAt - asked} ms after its consume`);
  await cam2.enableTraceEvent([]);
});

pipes('pitfall: a key frame that crossed before B produced the pipe, then a request on B before any RTP ("mappedSsrc not found"): B still gets a key frame', async (ctx) => {
  const [a5, b5] = [await side(ctx.pools[0]), await side(ctx.pools[1])];
  // 100 ms between the nodes: the pipe's first key frame (asked when the pipe consumer is created,
  // answered at once by this sender) reaches B's pipe transport before B has produced the pipe.
  const pair = between(a5, b5, { latencyMs: 100 });
  const sender = await RtpSender.create(a5.router, { kind: 'video', appData: { peerId: 'carol', source: 'screen' }, ssrcs: [1111], keyFrames: 'at-once' });
  ctx.closers.push(sender, { close: () => pair.pa.close() });
  a5.producers.set(sender.producer.id, sender.producer);
  for (let i = 0; i < 5; i++) sender.send(); // a key frame, then deltas: the stream exists on A
  await waitFor('the stream exists on A', async () => (await sender.producer.getStats()).length === 1, 5_000, 20);
  const requests = () => sender.keyFrameRequests.get(1111) ?? 0;
  const piped = await pair.pb.pipeIn(sender.producer.id);
  assert.ok(requests() >= 1, 'the pipe consumer asked for a key frame');
  assert.equal(await piped.getStats(), [], 'that key frame crossed before B produced: no stream on B');
  // A consumer on B, paused then resumed as a participant's is (SIG-5): its key-frame request finds
  // no stream on B yet (no RTP reached the pipe producer) and is ignored.
  const rx = await RtpReceiver.create(b5.router, piped.id, { paused: true });
  ctx.closers.push(rx);
  await rx.consumer.resume();
  await rx.consumer.requestKeyFrame();
  // Delta frames only from here, unless a key-frame request reaches the sender.
  const ticker = setInterval(() => sender.send(), 20);
  const beforeDeltas = requests();
  try {
    await waitFor('RTP on B', () => rx.packets > 0, 4_000, 20);
    assert.ok(requests() > beforeDeltas, 'a stream starting with a delta frame on B asked the sender for a key frame');
    // And later requests work: a second consumer on B asks, the sender is asked, and it receives.
    const before = requests();
    const rx2 = await RtpReceiver.create(b5.router, piped.id, { paused: true });
    ctx.closers.push(rx2);
    await rx2.consumer.resume();
    await waitFor('RTP to the second consumer', () => rx2.packets > 0, 4_000, 20);
    assert.ok(requests() > before, 'the second consumer\'s request reached the sender');
  } finally {
    clearInterval(ticker);
  }
});

pipes('malformed channel messages are refused BAD_REQUEST, never crash, and the pair keeps working', async (ctx) => {
  const { chanA, pa, pb, cam } = ctx;
  const bad: Array<[string, unknown]> = [
    ['pipe.produce', { producerId: 5 }],
    ['pipe.produce', { producerId: 'x', consumerId: 'y', kind: 'video', rtpParameters: { codecs: [] }, paused: false, appData: { peerId: 'p', source: 'camera' } }],
    ['pipe.connect', { transportId: 't', ip: 'not an address', port: 5000 }],
    ['pipe.connect', { transportId: 't', ip: '127.0.0.1', port: 70_000 }],
    ['pipe.in', 'garbage'],
    ['pipe.in', { producerId: 'x'.repeat(500) }],
    ['pipe.in', null],
  ];
  for (const [name, data] of bad) assert.is(await codeOf(chanA.request(name, data)), 'BAD_REQUEST', `${name} ${JSON.stringify(data)}`);
  // Well-formed but wrong: another transport than the one B is connected to.
  assert.is(await codeOf(chanA.request('pipe.connect', { lane: 'pipe', transportId: 'another', ip: '127.0.0.1', port: 5000, srtpParameters: pa.transport!.srtpParameters })), 'CONFLICT');
  const warned = ctx.warnings.length;
  chanA.send('pipe.paused', { producerId: 1 });
  chanA.send('pipe.end', { now: true }); // malformed: must not end the pair
  chanA.send('pipe.closed', { producerId: cam.id, consumerId: 'not-its-pipe' }); // well-formed, not ours: ignored
  const video = ctx.received.get(cam.id)!;
  const frames = video.frames;
  await waitFor('frames keep coming on B', () => video.frames >= frames + 10, 10_000);
  assert.is(ctx.warnings.length, warned + 2, 'the two malformed events were reported');
  assert.not.ok(pa.closed || pb.closed);
  assert.ok(pb.imported.has(cam.id));
});

pipes('SPAN-3: a trusted link pipes without SRTP; nodes that disagree are refused', async (ctx) => {
  const [a2, b2] = [await side(ctx.pools[0]), await side(ctx.pools[1])];
  const trusted = between(a2, b2, { trustedA: true, trustedB: true });
  const sender = await RtpSender.create(a2.router, { kind: 'audio', appData: { peerId: 'dan', source: 'microphone' }, ssrcs: [2222] });
  ctx.closers.push(sender);
  a2.producers.set(sender.producer.id, sender.producer);
  await trusted.pa.pipeOut(sender.producer.id);
  assert.is(trusted.pa.transport!.srtpParameters, undefined);
  assert.is(trusted.pb.transport!.srtpParameters, undefined);
  const connects = [...trusted.chanA.crossed('pipe.connect'), ...trusted.chanA.crossed('pipe.connect', 'response')] as Array<{ srtpParameters?: unknown }>;
  assert.ok(connects.length >= 2 && connects.every((c) => c.srtpParameters === undefined), 'no key exchanged');
  const rx = await RtpReceiver.create(b2.router, sender.producer.id);
  ctx.closers.push(rx);
  const ticker = setInterval(() => sender.send(), 20);
  try {
    await waitFor('audio RTP crosses the trusted pipe', () => rx.packets >= 10, 5_000, 20);
  } finally {
    clearInterval(ticker);
  }

  const [a3, b3] = [await side(ctx.pools[0]), await side(ctx.pools[1])];
  const mixed = between(a3, b3, { trustedA: true, trustedB: false });
  const sender3 = await RtpSender.create(a3.router, { kind: 'audio', appData: { peerId: 'eve', source: 'microphone' }, ssrcs: [3333] });
  ctx.closers.push(sender3);
  a3.producers.set(sender3.producer.id, sender3.producer);
  assert.is(await codeOf(mixed.pa.pipeOut(sender3.producer.id)), 'BAD_REQUEST');
  mixed.pa.close();

  // The channel dropping (the other node died) cleans both sides.
  trusted.chanA.close();
  assert.ok(trusted.pa.closed && trusted.pb.closed);
  await waitFor('no pipe transport left (channel closed)', async () => (await livePipes(a2)).length + (await livePipes(b2)).length === 0, 5_000, 50);
  assert.ok(rx.consumer.closed || (await waitFor('the consumer of the pipe closes', () => rx.consumer.closed, 5_000, 20)));
  assert.is(await codeOf(trusted.pa.pipeOut(sender.producer.id)), 'UNAVAILABLE');
  await waitFor('nothing left of the mixed pair', async () => (await livePipes(a3)).length + (await livePipes(b3)).length === 0, 5_000, 50);
});

pipes('SPAN-3: a pipe that could not be set up (the other node not ready) is retried at the next call, on the same transport', async (ctx) => {
  const [a6, b6] = [await side(ctx.pools[0]), await side(ctx.pools[1])];
  const [chanA, chanB] = MemoryNodeChannel.pair('node-a', 'node-b');
  const pa = new NodePipes({ router: a6.router, channel: chanA, listenIp: '127.0.0.1', findProducer: (id) => a6.producers.get(id) });
  ctx.closers.push(pa);
  const sender = await RtpSender.create(a6.router, { kind: 'audio', appData: { peerId: 'gus', source: 'microphone' }, ssrcs: [6666] });
  ctx.closers.push(sender);
  a6.producers.set(sender.producer.id, sender.producer);
  assert.is(await codeOf(pa.pipeOut(sender.producer.id)), 'UNAVAILABLE', 'nobody serves pipe.connect on B yet');
  assert.is(await codeOf(pa.pipeOut('no-such-producer')), 'NOT_FOUND');
  const pb = new NodePipes({ router: b6.router, channel: chanB, listenIp: '127.0.0.1', findProducer: () => undefined });
  await pa.pipeOut(sender.producer.id);
  assert.ok(pb.imported.has(sender.producer.id));
  assert.is((await livePipes(a6)).length, 1, 'the transport of the failed attempt was reused, not leaked');
  assert.is((await livePipes(b6)).length, 1);
  pa.close();
});

pipes('a router closing ends its pipes and tells the other node', async (ctx) => {
  const [a4, b4] = [await side(ctx.pools[0]), await side(ctx.pools[1])];
  const pair = between(a4, b4);
  const sender = await RtpSender.create(a4.router, { kind: 'audio', appData: { peerId: 'fay', source: 'microphone' }, ssrcs: [4444] });
  a4.producers.set(sender.producer.id, sender.producer);
  await pair.pb.pipeIn(sender.producer.id);
  assert.is((await livePipes(b4)).length, 1);
  a4.router.close();
  assert.ok(pair.pa.closed);
  await waitFor('B closes its end too', () => pair.pb.closed, 5_000, 20);
  await waitFor('no pipe transport left on B', async () => (await livePipes(b4)).length === 0, 5_000, 50);
  sender.close();
});

pipes('close() of NodePipes cleans both nodes', async (ctx) => {
  const { pa, pb, cam, a, b } = ctx;
  const video = ctx.received.get(cam.id)!;
  const closed = new Promise<void>((resolve) => pb.once('close', resolve));
  pa.close();
  pa.close(); // idempotent
  await closed;
  assert.equal(pb.imported.size, 0);
  await waitFor('no pipe transport left on either node', async () => (await livePipes(a)).length + (await livePipes(b)).length === 0, 5_000, 50);
  await waitFor('the consumers of piped producers close on B', () => video.consumer.closed, 5_000, 20);
  assert.is(await codeOf(pa.pipeOut(cam.id)), 'UNAVAILABLE');
  assert.is(await codeOf(pb.pipeIn(cam.id)), 'UNAVAILABLE');
  assert.not.ok(cam.closed, 'the source producer itself lives on');
});

exitAfterRun(pipes);
