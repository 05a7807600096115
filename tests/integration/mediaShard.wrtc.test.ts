import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { MediaPeer, MediaRoom, MediaShard, RemoteMediaPeer, WorkerPool, type MediaParticipant } from '@nomades/sfu';
import { DirectParticipant, type ReceivedStream } from '../helpers/DirectParticipant.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { MemoryNodeChannel } from '../helpers/MemoryNodeChannel.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * SPAN-1…4, SPAN-7 (docs/spec/span.md) at the media layer: one room across two "hosts", each a
 * WorkerPool with its own worker process and port range, joined by an in-memory NodeChannel that
 * JSON-serialises every message. The home's MediaRoom has H (a MediaPeer) and R, R2 (RemoteMediaPeers
 * whose media is in the annex's MediaShard); each is driven by real WebRTC (wrtc + mediasoup-client)
 * through the MediaParticipant API alone, as the server's request handlers drive it.
 * Twice: with one worker per node, and with two where every participant is placed off its room's
 * first router (where the node pipes end), so that media also crosses workers (PLACE-3) on both.
 */
const HOME_PORTS = { rtcMinPort: 46000, rtcMaxPort: 46499 };
const ANNEX_PORTS = { rtcMinPort: 46500, rtcMaxPort: 46999 };
const ROOM = 'spanned-room';
/** SPAN-3: an import unused for this long is released (5 s in production). */
const RELEASE_MS = 300;

interface Layout {
  name: string;
  workers: number;
  /** Makes each room's first worker busy (PLACE-2) before its participants are placed. */
  offFirst: boolean;
}

interface Ctx {
  home: WorkerPool;
  annex: WorkerPool;
  room: MediaRoom;
  toAnnex: MemoryNodeChannel;
  toHome: MemoryNodeChannel;
  shard: MediaShard;
  H: MediaPeer;
  R: MediaParticipant;
  h: DirectParticipant;
  r: DirectParticipant;
  R2: MediaParticipant;
  r2: DirectParticipant;
  clients: DirectParticipant[];
  /** What the shard logged as refused. */
  warnings: string[];
  /** Routers that only load a worker (not the room's). */
  ballast: types.Router[];
}

const pool = (ports: { rtcMinPort: number; rtcMaxPort: number }, layout: Layout) =>
  WorkerPool.create({
    numWorkers: layout.workers,
    maxConsumersPerWorker: 2,
    listenIp: '127.0.0.1',
    basePort: 0,
    ...ports,
    workerBin: process.env.MEDIASOUP_WORKER_BIN,
  });

const producerOf = (media: MediaParticipant, source: string) => [...media.producers.values()].find((p) => p.appData.source === source)!;
const flowing = (s: ReceivedStream | undefined, frames = 10) => s !== undefined && !s.closed && s.frames >= frames;
const crossings = (ctx: Ctx) => ctx.toAnnex.crossed('pipe.produce').length;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.instance(error, AppError, `expected an AppError, got ${String(error)}`);
  return (error as AppError).code;
}

function spanSuite(layout: Layout) {
  const span = suite<Ctx>(`a room across two nodes, ${layout.name}`, { clients: [], ballast: [], warnings: [] } as unknown as Ctx);

  span.before(async (ctx) => {
    ctx.home = await pool(HOME_PORTS, layout);
    ctx.annex = await pool(ANNEX_PORTS, layout);
    ctx.room = await MediaRoom.create(ctx.home, ROOM, { nodePipes: { listenIp: '127.0.0.1' }, pipeReleaseMs: RELEASE_MS });
    [ctx.toAnnex, ctx.toHome] = MemoryNodeChannel.pair('home', 'annex');
    const logger = { warn: (fields: object, message: string) => ctx.warnings.push(`${message} ${JSON.stringify(fields)}`) };
    ctx.shard = new MediaShard(ctx.annex, ROOM, ctx.toHome, { listenIp: '127.0.0.1', pipeReleaseMs: RELEASE_MS, logger });
    const shardRoom = await ctx.shard.ready();
    if (layout.offFirst) {
      ctx.ballast.push(await ballast(ctx.home, ctx.room.workerIndex), await ballast(ctx.annex, shardRoom.workerIndex));
    }
  });

  span.after(async (ctx) => {
    for (const c of ctx.clients) c.close();
    ctx.room?.close();
    ctx.shard?.close();
    ctx.home?.close();
    ctx.annex?.close();
    await Promise.all([ctx.home?.exited(), ctx.annex?.exited()]);
  });

  span('SPAN-1/2/3: a home participant and an annex participant receive each other; the annex one talks to the annex', async (ctx) => {
    ctx.H = ctx.room.createPeer('H');
    ctx.R = ctx.room.createPeer('R', { annex: ctx.toAnnex });
    assert.instance(ctx.R, RemoteMediaPeer);
    ctx.h = await DirectParticipant.join(ctx.H, ctx.room.rtpCapabilities);
    ctx.r = await DirectParticipant.join(ctx.R, ctx.room.rtpCapabilities);
    ctx.clients.push(ctx.h, ctx.r);
    await Promise.all([ctx.h.publish(), ctx.r.publish()]);

    // SPAN-1: R's client reaches the annex's media address, never the home's.
    const annexPorts = await serverPorts(ctx.annex);
    const homePorts = await serverPorts(ctx.home);
    for (const params of [ctx.r.sendParams!, ctx.r.recvParams!]) {
      assert.ok(params.iceCandidates.length > 0);
      for (const c of params.iceCandidates) assert.ok(annexPorts.has(c.port) && !homePorts.has(c.port), `R's candidate ${c.ip}:${c.port} is the annex's`);
    }
    for (const c of ctx.h.sendParams!.iceCandidates) assert.ok(homePorts.has(c.port), `H's candidate ${c.port} is the home's`);
    if (layout.offFirst) {
      assert.is.not(ctx.H.placement!.workerIndex, ctx.room.workerIndex, "H is off the home room's first worker");
      assert.is.not(ctx.shard.peers.get('R')!.placement!.workerIndex, ctx.shard.room!.workerIndex, "R is off the shard's first worker");
    }
    assert.is(ctx.shard.peers.get('R')!.producers.size, 2, "R's producers live in the annex's shard");
    assert.equal([...ctx.R.producers.values()].map((p) => p.appData.source).sort(), ['camera', 'microphone'], 'and the home sees them');
    assert.is(ctx.room.producers().length, 4, 'the room lists the producers of both nodes');

    for (const source of ['microphone', 'camera']) {
      await ctx.h.consume(producerOf(ctx.R, source).id); // home ← annex: pipe in
      await ctx.r.consume(producerOf(ctx.H, source).id); // annex ← home: pipe out
    }
    await waitFor('H and R decode each other', () => [...ctx.h.received.values(), ...ctx.r.received.values()].every((s) => flowing(s, 15)), 20_000);
    assert.is(crossings(ctx), 4, "H's two producers piped out, R's two piped in, once each (SPAN-3)");
    assert.is(ctx.shard.peers.get('R')!.consumers.size, 2, "R's consumers are on the annex");
  });

  span("SPAN-3: the annex's microphones reach the home's speaker detection", async (ctx) => {
    const heard = new Promise<number>((resolve) =>
      ctx.room.speakers.on('volumes', (levels) => {
        const r = levels.find((l) => l.peerId === 'R');
        if (r) resolve(r.volume);
      }),
    );
    const volume = await within(heard, 10_000, "R's audio level at home");
    assert.ok(volume > -60, `R is audible at home (${volume} dBov)`);
  });

  span('SPAN-3: a second annex participant receives the first with no pipe', async (ctx) => {
    const before = crossings(ctx);
    ctx.R2 = ctx.room.createPeer('R2', { annex: ctx.toAnnex });
    ctx.r2 = await DirectParticipant.join(ctx.R2, ctx.room.rtpCapabilities);
    ctx.clients.push(ctx.r2);
    await ctx.r2.consume(producerOf(ctx.R, 'camera').id);
    await ctx.r2.consume(producerOf(ctx.R, 'microphone').id);
    await waitFor('R2 decodes R', () => [...ctx.r2.received.values()].every((s) => flowing(s)), 15_000);
    assert.is(crossings(ctx), before, 'nothing crossed between the nodes for it');
  });

  span("SPAN-4: H pausing its camera is seen by R's consumer on the annex", async (ctx) => {
    const camera = producerOf(ctx.H, 'camera');
    const annexConsumer = () => [...ctx.shard.peers.get('R')!.consumers.values()].find((c) => c.producerId === camera.id)!;
    assert.not.ok(annexConsumer().producerPaused);
    await ctx.H.pauseProducer(camera.id);
    await waitFor("the annex's consumer sees producerPaused", () => annexConsumer().producerPaused, 5_000, 20);
    assert.ok(ctx.R.consumers.get(annexConsumer().id)!.producerPaused, "and so does the home's view of it");
    await ctx.H.resumeProducer(camera.id);
    await waitFor('resumed there too', () => !annexConsumer().producerPaused, 5_000, 20);
  });

  span('recording taps an annex producer at home (SPAN-3)', async (ctx) => {
    const mic = producerOf(ctx.R, 'microphone');
    const tap = await ctx.room.createRecordingTap(mic.id, '127.0.0.1', { ip: '127.0.0.1', rtpPort: 46998, rtcpPort: 46999 });
    try {
      await tap.resume();
      const sent = async () => (await tap.consumer.getStats()).reduce((n, s) => n + (s.byteCount ?? 0), 0);
      await waitFor('the tap forwards the annex microphone', async () => (await sent()) > 2000, 5_000, 100);
    } finally {
      tap.close();
    }
  });

  span('a malformed or unknown shard request is refused, the shard goes on', async (ctx) => {
    assert.is(await codeOf(ctx.toAnnex.request('shard.produce', { peerId: 'R', transportId: 5 })), 'BAD_REQUEST');
    assert.is(await codeOf(ctx.toAnnex.request('shard.consume', { peerId: 'R', transportId: 'x', producerId: 'y', extra: 1 })), 'BAD_REQUEST');
    assert.is(await codeOf(ctx.toAnnex.request('shard.createPeer', null)), 'BAD_REQUEST');
    assert.is(await codeOf(ctx.toAnnex.request('shard.pauseConsumer', { peerId: 'nobody', consumerId: 'c' })), 'NOT_JOINED');
    assert.is(await codeOf(ctx.R.consume(ctx.r.recvParams!.id, 'no-such-producer')), 'NOT_FOUND');
    assert.is(await codeOf(ctx.R.createTransport('send').then(() => ctx.R.createTransport('send')).then(() => ctx.R.createTransport('send'))), 'BAD_REQUEST', 'MediaPeer limits hold on the annex');
    assert.ok(ctx.warnings.some((w) => w.includes('shard.produce')), `the shard logged the refusal: ${ctx.warnings.join('; ')}`);
    // A malformed event from the annex changes nothing at home.
    let announced = 0;
    const count = () => announced++;
    ctx.R.on('newproducer', count);
    ctx.toHome.send('shard.newproducer', { peerId: 'R', producer: { id: 5, kind: 'smell' } });
    const iceParameters = await ctx.R.restartIce(ctx.r.recvParams!.id); // answered after the event crossed (in order)
    assert.ok(iceParameters.usernameFragment, 'the shard still serves');
    ctx.R.off('newproducer', count);
    assert.is(announced, 0, 'the malformed event was dropped');
  });

  span('SPAN-2: R closing its camera on the annex closes it at home and closes H’s consumer', async (ctx) => {
    const camera = producerOf(ctx.R, 'camera');
    const hConsumer = ctx.H.consumers.get(ctx.h.received.get(camera.id)!.consumer.id)!;
    const closedAtHome = new Promise<string>((resolve) => ctx.R.once('producerclosed', (p) => resolve(p.id)));
    const hLost = new Promise<string>((resolve) => ctx.H.once('consumerclosed', (c) => resolve(c.producerId)));
    ctx.shard.peers.get('R')!.closeProducer(camera.id); // as the annex's bitrate guard would
    assert.is(await within(closedAtHome, 5_000, 'producerclosed at home'), camera.id);
    assert.ok(camera.closed, 'the view is closed');
    assert.not.ok(ctx.R.producers.has(camera.id));
    assert.is(await within(hLost, 5_000, "H's consumerclosed"), camera.id);
    assert.ok(hConsumer.closed, "H's consumer closed with the pipe");
    await waitFor("R2's consumer closed on the annex", () => ctx.r2.received.get(camera.id)!.closed, 5_000, 20);

    // The home closes R's microphone through its view, as moderation does (MOD-6: a demotion).
    const mic = producerOf(ctx.R, 'microphone');
    const events: string[] = [];
    ctx.R.once('producerclosed', (p) => events.push(`producerclosed ${p.id}`));
    const hLostMic = new Promise<string>((resolve) => ctx.H.once('consumerclosed', (c) => resolve(c.producerId)));
    mic.close();
    assert.equal(events, [`producerclosed ${mic.id}`], 'at once, as a MediaPeer does');
    assert.ok(mic.closed);
    await waitFor('the annex closed the microphone', () => !ctx.shard.peers.get('R')!.producers.has(mic.id), 5_000, 20);
    assert.is(await within(hLostMic, 5_000, "H's consumerclosed of the microphone"), mic.id);
    assert.is(ctx.R.producers.size, 0);
  });

  span('SPAN-3: the last annex consumer of a home producer leaving releases its pipes; a new one pipes again', async (ctx) => {
    const hMic = producerOf(ctx.H, 'microphone').id;
    const hCam = producerOf(ctx.H, 'camera').id;
    const imported = () => ctx.shard.pipes!.imported;
    assert.ok(imported().has(hMic) && imported().has(hCam), "H's producers are piped to the annex for R");
    const released = () => ctx.toAnnex.crossed('pipe.released', 'event').length;
    const before = { released: released(), crossings: crossings(ctx) };
    ctx.R.close(); // R leaves (the server: Peer.close)
    await waitFor('R is gone from the shard', () => !ctx.shard.peers.has('R'), 5_000, 20);
    await waitFor("the annex no longer imports H's producers", () => imported().size === 0, 5_000, 20);
    assert.is(released() - before.released, 2, 'both pipes released by the annex');
    assert.not.ok(ctx.shard.closed, 'the span goes on for R2');

    await ctx.r2.consume(hCam);
    await waitFor("R2 decodes H's camera", () => flowing(ctx.r2.received.get(hCam)), 15_000);
    assert.is(crossings(ctx), before.crossings + 1, 'piped again, once');
    // R2 publishes and H consumes it, for the next test.
    await ctx.r2.publish();
    await ctx.h.consume(producerOf(ctx.R2, 'camera').id);
    await waitFor("H decodes R2's camera", () => flowing(ctx.h.received.get(producerOf(ctx.R2, 'camera').id)), 15_000);
  });

  span('SPAN-3: a piped camera nobody watches on the other node stops crossing; watched again, it flows at once', async (ctx) => {
    const cam = producerOf(ctx.R2, 'camera').id;
    const stream = ctx.h.received.get(cam)!;
    const exported = () => ctx.shard.pipes!.exported.get(cam)!;
    // What the camera's pipe consumer sent (the transport also carries R2's microphone, piped home for speaker detection).
    const sent = () => exported().bytesSent();
    const watchedBefore = await sent();
    await new Promise((r) => setTimeout(r, 1_000));
    const watchedBytes = (await sent()) - watchedBefore;
    assert.ok(watchedBytes > 5_000, `the camera crosses while watched: ${watchedBytes} bytes in 1 s`);
    assert.ok(exported().demand >= 0, "the pipe flows while H's tile shows R2");
    await ctx.H.pauseConsumer(stream.consumer.id); // H's tile goes off screen (SIG-8)
    await waitFor("the annex pauses the camera's pipe", () => exported().demand === -1, 5_000, 20);
    assert.is(ctx.room.importDemand(cam), -1, 'the home asked for nothing of it');
    const before = await sent();
    await new Promise((r) => setTimeout(r, 1_000));
    const idleBytes = (await sent()) - before;
    assert.is(idleBytes, 0, 'nothing of the camera crosses while nobody watches it');
    const frames = stream.frames;
    const resumedAt = Date.now();
    await ctx.H.resumeConsumer(stream.consumer.id);
    await waitFor('the pipe flows again', () => exported().demand >= 0, 2_000, 10);
    const pipeMs = Date.now() - resumedAt;
    await waitFor('H decodes the camera again', () => stream.frames > frames + 3, 10_000, 10);
    console.log(`[span] a piped camera: ${watchedBytes} bytes/s while watched, ${idleBytes} while nobody watches; watched again: pipe resumed in ${pipeMs} ms, frames again ${Date.now() - resumedAt} ms after`);
  });

  span('SPAN-7: the annex channel dropping closes its participants at home and the shard on the annex', async (ctx) => {
    const r2Closed = new Promise<void>((resolve) => ctx.R2.once('close', () => resolve()));
    const annexClosed = new Promise<string>((resolve) => ctx.room.once('annexclose', resolve));
    assert.ok(ctx.H.consumers.size > 0, 'H consumes R2');
    ctx.toAnnex.close(); // the annex is gone
    assert.is(await within(annexClosed, 5_000, 'annexclose'), 'annex');
    await within(r2Closed, 100, "R2's close (the server kicks it)");
    assert.ok(ctx.R2.closed);
    assert.is(ctx.room.producers().length, 2, "only H's producers are left in the room");
    assert.ok(ctx.shard.closed, 'the shard closed');
    await waitFor('no router of the room left on the annex', async () => (await annexRouters(ctx)).length === 0, 5_000);
    await waitFor("H's consumers of R2 closed", () => ctx.H.consumers.size === 0, 5_000, 20);
    assert.not.ok(ctx.room.closed, 'the room goes on at home');
    assert.is(await codeOf(Promise.resolve().then(() => ctx.room.createPeer('R3', { annex: ctx.toAnnex }))), 'UNAVAILABLE', 'a spent channel is not reused');
  });

  span('a shard is bounded; its last participant leaving ends the span (shard.close)', async (ctx) => {
    const [toAnnex, toHome] = MemoryNodeChannel.pair('home', 'annex');
    const shard = new MediaShard(ctx.annex, ROOM, toHome, { listenIp: '127.0.0.1', maxPeers: 1 });
    const R3 = ctx.room.createPeer('R3', { annex: toAnnex });
    const R4 = ctx.room.createPeer('R4', { annex: toAnnex });
    const r4Closed = new Promise<void>((resolve) => R4.once('close', () => resolve()));
    await R3.createTransport('recv');
    assert.is(await codeOf(R4.createTransport('recv')), 'ROOM_FULL', 'the shard holds at most maxPeers');
    await within(r4Closed, 1_000, "R4's close (refused by the annex)");
    assert.is(shard.peers.size, 1);
    const ended = new Promise<string>((resolve) => ctx.room.once('annexclose', resolve));
    R3.close();
    assert.is(await within(ended, 1_000, 'annexclose'), 'annex');
    await waitFor('the shard closed', () => shard.closed, 5_000, 20);
    await waitFor('no router of the room left on the annex', async () => (await annexRouters(ctx)).length === 0, 5_000);
    assert.is(toAnnex.crossed('shard.close', 'event').length, 1, 'told by shard.close');
  });

  span('SPAN-2: the home room closing closes a new span’s shard on the annex', async (ctx) => {
    const [toAnnex, toHome] = MemoryNodeChannel.pair('home', 'annex');
    const shard = new MediaShard(ctx.annex, ROOM, toHome, { listenIp: '127.0.0.1' });
    const R5 = ctx.room.createPeer('R5', { annex: toAnnex });
    await R5.createTransport('recv');
    assert.is(shard.peers.size, 1);
    const r5Closed = new Promise<void>((resolve) => R5.once('close', () => resolve()));
    ctx.room.close();
    await within(r5Closed, 1_000, 'R5 close');
    await waitFor('the shard closed', () => shard.closed, 5_000, 20);
    await waitFor('no router of the room left on the annex', async () => (await annexRouters(ctx)).length === 0, 5_000);
    assert.is(toAnnex.crossed('shard.close', 'event').length, 1, 'told by shard.close');
  });

  return span;
}

/** The routers the annex's workers hold, but for the ballast. */
async function annexRouters(ctx: Ctx): Promise<string[]> {
  const ballastIds = new Set(ctx.ballast.map((r) => r.id));
  const dumps = await Promise.all(ctx.annex.workers.map((w) => w.worker.dump()));
  return dumps.flatMap((d) => d.routerIds).filter((id) => !ballastIds.has(id));
}

/** Loads worker `index` of `p` with two consumers (busy at maxConsumersPerWorker 2: PLACE-2 places elsewhere). */
async function ballast(p: WorkerPool, index: number): Promise<types.Router> {
  const { router } = await p.createRouter({ ballast: true }, p.workers[index]);
  const transport = await router.createDirectTransport();
  const rtpParameters = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] };
  const producer = await transport.produce({ kind: 'audio', rtpParameters });
  for (let i = 0; i < 2; i++) await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  assert.ok(p.isBusy(index), `worker ${index} is busy`);
  return router;
}

/** The ports of a pool's WebRtcServers (its media address). */
async function serverPorts(p: WorkerPool): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const w of p.workers) {
    const dump = (await w.webRtcServer.dump()) as unknown as { udpSockets: Array<{ port: number }>; tcpServers: Array<{ port: number }> };
    for (const s of [...dump.udpSockets, ...dump.tcpServers]) ports.add(s.port);
  }
  return ports;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

const oneWorker = spanSuite({ name: 'one worker per node', workers: 1, offFirst: false });
const twoWorkers = spanSuite({ name: 'participants off the first workers', workers: 2, offFirst: true });
exitAfterRun(oneWorker);
twoWorkers.run();
