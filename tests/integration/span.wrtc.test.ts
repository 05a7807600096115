import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Cluster } from '../helpers/Cluster.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sampleValue } from '../helpers/promText.js';
import { scrape } from '../helpers/scrape.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * SPAN-1…7 (docs/spec/span.md) on real nodes: three `npm start` nodes over one PostgreSQL and one
 * Redis, NODE_MAX_PARTICIPANTS=2, real WebRTC bots. A room's third participant gets its media on a
 * second node (its annex) while its signaling stays on the room's home; everyone receives everyone;
 * the pipes show in both nodes' metrics; a host at home mutes and removes a participant whose
 * media is on the annex; the annex's death takes only its own participants, who can join again
 * (on the third node).
 */
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  bots: WrtcBot[];
}
const s = suite<Ctx>('one room across two nodes', { bots: [] });

s.before(async (ctx) => {
  try {
    ctx.cluster = await Cluster.start(3, { NODE_MAX_PARTICIPANTS: '2' });
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
s.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
s.after.each(async (ctx) => {
  for (const b of ctx.bots) b.close();
  ctx.bots = [];
  // Every live node empty again (and its published load with it) before the next test.
  const cluster = ctx.cluster!;
  const live = [0, 1, 2].filter((i) => cluster.nodes[i] !== undefined);
  await waitFor('the nodes carry no media', async () => (await Promise.all(live.map((i) => health(cluster, i)))).every((n) => n.participants === 0), 10_000);
  await sleep(1_500); // one heartbeat: the directory's copy of the load too
});
s.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.cluster?.close();
});

interface Health {
  node: { id: string; annexRooms: string[]; participants: number };
}
const health = async (cluster: Cluster, i: number): Promise<Health['node']> => ((await (await fetch(`${cluster.url(i)}/healthz`)).json()) as Health).node;

/** A bot on the room's home: follows WRONG_NODE, and retries UNAVAILABLE for 10 s as the web client does. */
async function joinBot(ctx: Ctx, roomId: string, name: string, role?: string): Promise<WrtcBot> {
  const cluster = ctx.cluster!;
  const token = await cluster.mintToken(roomId, name, role);
  let url = cluster.url(cluster.nodes.findIndex((n) => n !== undefined));
  const deadline = Date.now() + 10_000;
  for (let hop = 0; ; hop++) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    try {
      await bot.join(url, roomId, token);
      return bot;
    } catch (error) {
      bot.close();
      const code = error instanceof RequestError ? error.error.code : undefined;
      if (Date.now() > deadline) throw error;
      if (code === 'WRONG_NODE') url = String((error as RequestError).error.params?.node);
      else if (code === undefined) url = cluster.url(cluster.nodes.findIndex((n) => n !== undefined)); // sent to a node just killed: ask a live one
      else if (code !== 'UNAVAILABLE') throw error;
      await sleep(hop < 2 ? 0 : 250);
    }
  }
}

/** nomades_node_piped_producers by "direction kind", and nomades_node_pipe_bytes_total by direction, of node `i`. */
async function pipeFigures(cluster: Cluster, i: number) {
  const m = await scrape(cluster.url(i));
  const piped: Record<string, number> = {};
  for (const direction of ['in', 'out']) for (const kind of ['audio', 'video']) piped[`${direction} ${kind}`] = sampleValue(m, 'nomades_node_piped_producers', { direction, kind });
  const bytes = { in: sampleValue(m, 'nomades_node_pipe_bytes_total', { direction: 'in' }), out: sampleValue(m, 'nomades_node_pipe_bytes_total', { direction: 'out' }) };
  return { piped, bytes };
}

const receivesAll = (bot: WrtcBot, from: WrtcBot) => {
  const tracks = bot.tracksFrom(from.peerId).filter((t) => !t.closed);
  return tracks.length === 2 && tracks.every((t) => t.frames > 3);
};

s('SPAN-1/2/5/6: the third participant\'s media goes to a second node; everyone receives everyone; moderation from home reaches it', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'webinaire', maxParticipants: 10 });
  const host = await joinBot(ctx, roomId, 'hôte', 'host');
  const home = await cluster.hostOf(roomId);
  const b = await joinBot(ctx, roomId, 'b');
  const c = await joinBot(ctx, roomId, 'c');
  const startedAt = Date.now();
  for (const [x, y] of [[host, b], [host, c], [b, c], [c, host], [c, b], [b, host]] as const) {
    await waitFor(`${x.name} decodes ${y.name}'s audio and video`, () => receivesAll(x, y), 20_000);
  }
  console.log(`[span] three bots, one on the annex: every stream decoding ${Date.now() - startedAt} ms after the third join`);

  // SPAN-6: the home carries two participants' media, another node the third's.
  const nodes = await Promise.all([0, 1, 2].map((i) => health(cluster, i)));
  assert.is(nodes[home].participants, 2, 'the home carries the media of two (its limit)');
  const annex = nodes.findIndex((n) => n.annexRooms.includes(roomId));
  assert.ok(annex >= 0 && annex !== home, `another node hosts the room's media as its annex: ${JSON.stringify(nodes)}`);
  assert.is(nodes[annex].participants, 1);

  // SPAN-3 in the metrics of both nodes: c's microphone and camera piped home, the home's two of
  // each piped to the annex; the bytes through the pipe transports grow on both sides.
  const expected = (mine: number, theirs: number) => ({ 'in audio': theirs, 'in video': theirs, 'out audio': mine, 'out video': mine });
  await waitFor('each node counts its piped producers', async () => {
    const [h, a] = await Promise.all([pipeFigures(cluster, home), pipeFigures(cluster, annex)]);
    return JSON.stringify(h.piped) === JSON.stringify(expected(2, 1)) && JSON.stringify(a.piped) === JSON.stringify(expected(1, 2));
  }, 5_000);
  const first = await Promise.all([pipeFigures(cluster, home), pipeFigures(cluster, annex)]);
  await sleep(1_000);
  const second = await Promise.all([pipeFigures(cluster, home), pipeFigures(cluster, annex)]);
  for (const [i, name] of ['home', 'annex'].entries()) {
    for (const direction of ['in', 'out'] as const) {
      assert.ok(second[i].bytes[direction] > first[i].bytes[direction] && first[i].bytes[direction] > 0, `${name}: pipe bytes ${direction} grow: ${first[i].bytes[direction]} → ${second[i].bytes[direction]}`);
    }
  }

  // The rules stay at home (SPAN-1): the host mutes c's microphone; c and b see it paused.
  const cMic = b.tracksFrom(c.peerId).find((t) => t.kind === 'audio')!.producerId;
  const before = Date.now();
  await request(host.socket, 'muteParticipant', { peerId: c.peerId, source: 'microphone' });
  await waitFor('b sees c\'s microphone paused', () => [...b.remote.values()].find((r) => r.producerId === cMic)?.paused === true, 5_000);
  console.log(`[span] host at home mutes a participant whose media is on the annex: seen paused by another ${Date.now() - before} ms after`);

  // Removed: c's session ends (REMOVED); its media on the annex goes; nobody lists it.
  const removedAt = Date.now();
  await request(host.socket, 'removeParticipant', { peerId: c.peerId });
  await waitFor('c is told it was removed', () => c.closedBy === 'REMOVED', 5_000);
  await waitFor('b no longer lists c', () => !b.peers.has(c.peerId), 5_000);
  console.log(`[span] removal across nodes: c told ${Date.now() - removedAt} ms after`);
  await waitFor('the annex releases the room when its last participant there left', async () => !(await health(cluster, annex)).annexRooms.includes(roomId), 10_000);
});

s('SPAN-3b: a simulcast camera on the annex crosses only the layers the home\'s viewers choose', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'réunion', maxParticipants: 10 });
  const a = await joinBot(ctx, roomId, 'a');
  const home = await cluster.hostOf(roomId);
  const b = await joinBot(ctx, roomId, 'b');
  const c = new WrtcBot('c');
  c.simulcast = true; // 960×540, 480×270, 240×135
  ctx.bots.push(c);
  await c.join(cluster.url(home), roomId, await cluster.mintToken(roomId, 'c'));
  await waitFor('a and b decode c', () => receivesAll(a, c) && receivesAll(b, c), 20_000);
  const annex = (await Promise.all([0, 1, 2].map((i) => health(cluster, i)))).findIndex((n) => n.annexRooms.includes(roomId));
  assert.ok(annex >= 0 && annex !== home, "c's media is on the annex");
  /** What the annex sends through its pipes, in kbit/s over 2 s (c's camera, and its microphone piped home for speaker detection). */
  const outRate = async () => {
    const before = (await pipeFigures(cluster, annex)).bytes.out;
    await sleep(2_000);
    return Math.round((((await pipeFigures(cluster, annex)).bytes.out - before) * 8) / 2_000);
  };
  // The sender's estimate ramps up: wait until at least its middle layer crosses.
  let all = 0;
  await waitFor('c sends at least two layers', async () => (all = await outRate()) > 400, 20_000, 0);
  // Both viewers at home show c in a small tile (SIG-8): layer 0 only.
  const cCam = (bot: WrtcBot) => bot.tracksFrom(c.peerId).find((t) => t.kind === 'video')!;
  for (const bot of [a, b]) await request(bot.socket, 'setConsumerLayers', { consumerId: cCam(bot).consumerId, spatialLayer: 0 });
  await sleep(2_000); // ImportDemand lowers after 1 s of lower demand
  const low = await outRate();
  console.log(`[span] annex → home, c's simulcast camera (+ microphone): ${all} kbit/s with every layer watched, ${low} kbit/s with small tiles (${(all / low).toFixed(1)}×)`);
  // Layer 0 (~100 kbit/s) and the microphone (~40) remain: at most half of what crossed with every layer.
  assert.ok(low * 2 < all, `the upper layers stopped crossing: ${all} → ${low} kbit/s`);
  const frames = cCam(a).frames;
  await waitFor('a still decodes c in its small tile', () => cCam(a).frames > frames + 10, 5_000);
  // One viewer enlarges c: the layers come back at once (a key frame follows).
  await request(a.socket, 'setConsumerLayers', { consumerId: cCam(a).consumerId, spatialLayer: 2 });
  const raised = Date.now();
  await waitFor('more than layer 0 crosses again', async () => (await outRate()) > low * 2, 10_000, 0);
  console.log(`[span] c enlarged at home: its upper layers crossing again within ${Date.now() - raised} ms (2 s rate windows)`);
});

s('SPAN-5: concurrent joins beyond the home fill the annex to its limit, not beyond (the annex counts, not the home\'s second-old copy)', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'afflux', maxParticipants: 20 });
  const first = await joinBot(ctx, roomId, 'premier');
  const home = await cluster.hostOf(roomId);
  const sockets = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => connectSocket(cluster.url(home), { token: await cluster.mintToken(roomId, `p${i}`), roomId })),
  );
  try {
    // Six joins at once (signaling-only participants count like any other, SPAN-5): one more fits at
    // home, two on the annex, and the other three are refused: by the home, or by the annex (which
    // the home chose on its load of up to a second ago), and then told so (closing ROOM_FULL).
    const closings = sockets.map((socket) => {
      const seen: { code?: string } = {};
      socket.on('closing', ({ error }: { error: { code: string } }) => (seen.code = error.code));
      return seen;
    });
    const answers = await Promise.allSettled(sockets.map((socket) => request(socket, 'join', {})));
    const refused = answers.map((a) => (a.status === 'fulfilled' ? undefined : a.reason instanceof RequestError ? a.reason.error.code : String(a.reason)));
    const outcome = () => refused.map((code, i) => code ?? closings[i]!.code ?? 'in');
    await waitFor('three in, three refused', () => outcome().filter((c) => c === 'in').length <= 3, 5_000).catch(() => undefined);
    await sleep(500); // nothing more happens
    const nodes = await Promise.all([0, 1, 2].map((i) => health(cluster, i)));
    assert.ok(nodes.every((n) => n.participants <= 2), `no node beyond NODE_MAX_PARTICIPANTS=2: ${nodes.map((n) => n.participants)}`);
    assert.is(outcome().filter((c) => c === 'in').length, 3, `three in: ${outcome()}`);
    assert.ok(outcome().every((c) => c === 'in' || c === 'ROOM_FULL'), `the others are told the service is full: ${outcome()}`);
  } finally {
    await Promise.all(sockets.map((socket) => request(socket, 'leave', {}, 3_000).catch(() => undefined)));
    for (const socket of sockets) socket.close();
    first.close();
  }
});

s('SPAN-7: the annex SIGKILLed takes only its own participant, who joins again with media on the third node', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'café', maxParticipants: 10 });
  const a = await joinBot(ctx, roomId, 'a');
  const home = await cluster.hostOf(roomId);
  const b = await joinBot(ctx, roomId, 'b');
  const c = await joinBot(ctx, roomId, 'c');
  await waitFor('a decodes c', () => receivesAll(a, c), 20_000);
  const annex = (await Promise.all([0, 1, 2].map((i) => health(cluster, i)))).findIndex((n) => n.annexRooms.includes(roomId));
  assert.ok(annex >= 0 && annex !== home);

  const killedAt = Date.now();
  await cluster.kill(annex);
  await waitFor('c is told to join again (UNAVAILABLE)', () => c.closedBy === 'UNAVAILABLE', 10_000);
  await waitFor('a and b no longer list c', () => !a.peers.has(c.peerId) && !b.peers.has(c.peerId), 5_000);
  console.log(`[span] annex SIGKILL: its participant told ${Date.now() - killedAt} ms after; a and b keep each other`);
  // The others never stopped receiving each other.
  const frames = a.tracksFrom(b.peerId).find((t) => t.kind === 'video')!.frames;
  await waitFor('a still decodes b', () => a.tracksFrom(b.peerId).find((t) => t.kind === 'video')!.frames > frames + 5, 5_000);

  const c2 = await joinBot(ctx, roomId, 'c');
  await waitFor('a decodes c again', () => receivesAll(a, c2), 20_000);
  await waitFor('c decodes a and b', () => receivesAll(c2, a) && receivesAll(c2, b), 20_000);
  const third = [0, 1, 2].find((i) => i !== home && i !== annex)!;
  assert.ok((await health(cluster, third)).annexRooms.includes(roomId), 'the room\'s new annex is the third node');
  console.log(`[span] c back with media on the third node ${Date.now() - killedAt} ms after the kill`);
});

s('SPAN-8: the home SIGKILLed: the annex closes its shard; everyone joins again and the room spans the two survivors', async (ctx) => {
  const cluster = ctx.cluster!;
  const live = () => [0, 1, 2].filter((i) => cluster.nodes[i] !== undefined);
  if (live().length < 3) await cluster.startNode([0, 1, 2].find((i) => cluster.nodes[i] === undefined)!);
  const { id: roomId } = await cluster.createRoom({ name: 'formation', maxParticipants: 10 });
  const names = ['a', 'b', 'c'];
  const bots: WrtcBot[] = [];
  for (const name of names) bots.push(await joinBot(ctx, roomId, name));
  const home = await cluster.hostOf(roomId);
  await waitFor('a decodes c', () => receivesAll(bots[0], bots[2]), 20_000);
  const annex = (await Promise.all(live().map(async (i) => [i, await health(cluster, i)] as const))).find(([, n]) => n.annexRooms.includes(roomId))?.[0];
  assert.ok(annex !== undefined && annex !== home);

  const killedAt = Date.now();
  await cluster.kill(home);
  await waitFor('the annex closes the dead home\'s shard', async () => !(await health(cluster, annex)).annexRooms.includes(roomId), 10_000);
  const shardClosedMs = Date.now() - killedAt;
  for (const bot of bots) bot.close();
  // The clients join again (the web client does it by itself: issue #21); the room is placed on a survivor.
  const again: WrtcBot[] = [];
  for (const name of names) again.push(await joinBot(ctx, roomId, name));
  for (const [x, y] of [[0, 1], [0, 2], [1, 2], [2, 0]] as const) {
    await waitFor(`${names[x]} decodes ${names[y]} after the home's death`, () => receivesAll(again[x], again[y]), 20_000);
  }
  const nodes = await Promise.all(live().map((i) => health(cluster, i)));
  assert.is(nodes.reduce((sum, n) => sum + n.participants, 0), 3, 'the three participants\' media on the two survivors');
  assert.ok(nodes.some((n) => n.annexRooms.includes(roomId)), 'the room spans the two survivors again');
  console.log(`[span] home SIGKILL: the annex's shard closed ${shardClosedMs} ms after; all three back and decoding ${Date.now() - killedAt} ms after`);
});

exitAfterRun(s);
