import type { Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterNodes } from '@nomades/shared';
import { Cluster } from '../helpers/Cluster.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Several nodes while Redis or PostgreSQL is briefly unavailable (issue #21, docs/operations/
 * several-nodes.md, "What each engine's loss costs"): two nodes, a meeting of two in progress.
 * - redis-server restarted without persistence: the meeting goes on (its sockets stay, requests
 *   are answered, notifications flow); a new join meanwhile is refused UNAVAILABLE (retryable);
 *   once Redis is back the nodes write the directory again (both nodes, the room at its node) and
 *   new joins succeed.
 * - PostgreSQL stopped then started: the meeting goes on; a new join and a room read through the
 *   API are refused UNAVAILABLE (503), not INTERNAL; once it is back they succeed.
 */
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  sockets: Socket[];
}
const engines = suite<Ctx>('several nodes: Redis and PostgreSQL briefly away', { sockets: [] });

engines.before(async (ctx) => {
  try {
    ctx.cluster = await Cluster.start(2);
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] "engines" before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
engines.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
engines.after(async (ctx) => {
  for (const s of ctx.sockets) s.close();
  await ctx.cluster?.close();
});

/** Connects as the web client does: to any node, then to the room's node on WRONG_NODE. */
async function join(ctx: Ctx, roomId: string, token: string): Promise<{ socket: Socket; peerId: string }> {
  const cluster = ctx.cluster!;
  let url = cluster.live().listenUrl;
  for (let hop = 0; ; hop++) {
    try {
      const socket = await connectSocket(url, { token, roomId });
      ctx.sockets.push(socket);
      const answer = await request(socket, 'join', {});
      return { socket, peerId: answer.peerId };
    } catch (error) {
      if (hop < 2 && error instanceof RequestError && error.error.code === 'WRONG_NODE') {
        url = String(error.error.params?.node);
        continue;
      }
      throw error;
    }
  }
}

/** The refusal code of a join, or 'ok'. */
async function joinCode(ctx: Ctx, roomId: string, name: string): Promise<string> {
  const token = await ctx.cluster!.mintToken(roomId, name).catch(() => null);
  if (!token) return 'no token';
  try {
    const { socket } = await join(ctx, roomId, token);
    socket.close();
    return 'ok';
  } catch (error) {
    return error instanceof RequestError ? error.error.code : String(error);
  }
}

/** The meeting goes on: a request answered and its notification received by the other one. */
async function meetingGoesOn(a: Socket, b: Socket, raised: boolean): Promise<void> {
  const seen = new Promise<void>((resolve) => b.once('roomControls', () => resolve()));
  await request(a, 'setHand', { raised });
  await Promise.race([seen, sleep(5_000).then(() => assert.unreachable('the other participant heard of the hand'))]);
  assert.ok(a.connected && b.connected, 'both sockets still connected');
}

engines('Redis restarted empty, then PostgreSQL stopped and started: the meeting goes on; joins wait, then work', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'Réunion pendant la panne' });
  const { id: otherRoom } = await cluster.createRoom({ name: 'Autre salle' });
  const ada = await join(ctx, roomId, await cluster.mintToken(roomId, 'Ada', 'host'));
  const grace = await join(ctx, roomId, await cluster.mintToken(roomId, 'Grace'));
  const home = await cluster.hostOf(roomId);
  await meetingGoesOn(ada.socket, grace.socket, true);
  const tokenForLater = await cluster.mintToken(otherRoom, 'Katherine');

  // Redis away for 3 s, and back without its data.
  const redisDown = cluster.restartRedis(3_000);
  await sleep(500);
  await meetingGoesOn(grace.socket, ada.socket, true);
  const during = await join(ctx, otherRoom, tokenForLater).then(() => 'ok', (e) => (e instanceof RequestError ? e.error.code : String(e)));
  assert.is(during, 'UNAVAILABLE', 'a new join while Redis is away: retryable refusal');
  // The directory notices at its next heartbeat (NODE_HEARTBEAT_MS, 1 s): waited for, still within the outage.
  const health = await waitFor('/healthz degraded while Redis is away', async () => {
    const h = (await (await fetch(`${cluster.url(home)}/healthz`)).json()) as { status: string; faults: Record<string, unknown> };
    return h.status === 'degraded' ? h : null;
  }, 2_000, 100);
  assert.is(health.status, 'degraded', '/healthz says so while Redis is away');
  assert.ok(health.faults['cluster.redis'], JSON.stringify(health.faults));
  await redisDown;
  const backAt = Date.now();
  await waitFor('the directory written again by both nodes', async () => {
    const res = await cluster.admin('GET', '/api/nodes');
    if (res.status !== 200) return null;
    const { nodes } = (await res.json()) as ClusterNodes;
    return nodes.length === 2 && nodes.find((n) => n.id === `node${home}`)?.rooms.includes(roomId) ? true : null;
  }, 10_000, 100);
  console.log(`[engines] Redis back: directory rebuilt (2 nodes, the room at node${home}) after ${Date.now() - backAt} ms`);
  assert.is(await waitFor('a new join after Redis is back', async () => ((await joinCode(ctx, otherRoom, 'Katherine')) === 'ok' ? true : null), 10_000, 200), true);
  await meetingGoesOn(ada.socket, grace.socket, false);

  // PostgreSQL away for a few seconds.
  cluster.pg.stop();
  try {
    await meetingGoesOn(grace.socket, ada.socket, false);
    assert.is(await joinCode(ctx, roomId, 'Dorothy'), 'no token', 'minting reads the room: refused too');
    const read = await cluster.admin('GET', `/api/rooms/${roomId}`);
    assert.is(read.status, 503, 'a room read while PostgreSQL is away: 503');
    assert.is(((await read.json()) as { error: { code: string } }).error.code, 'UNAVAILABLE');
    const token = ada.socket.auth as { token: string };
    const refused = await join(ctx, roomId, token.token).then(() => 'ok', (e) => (e instanceof RequestError ? e.error.code : String(e)));
    assert.is(refused, 'UNAVAILABLE', 'a handshake while PostgreSQL is away: retryable refusal');
  } finally {
    cluster.pg.restart();
  }
  assert.is(await waitFor('a new join after PostgreSQL is back', async () => ((await joinCode(ctx, roomId, 'Dorothy')) === 'ok' ? true : null), 15_000, 300), true);
  await meetingGoesOn(ada.socket, grace.socket, true);
});

engines('NODE-4/5b: an API call forwarded to a killed home is refused 503 once (Retry-After), and the retry is answered at once, before the home\'s heartbeat expires', async (ctx) => {
  const cluster = ctx.cluster!;
  const { id: roomId } = await cluster.createRoom({ name: 'Salle dont le nœud meurt' });
  const ada = await join(ctx, roomId, await cluster.mintToken(roomId, 'Ada', 'host'));
  const home = await cluster.hostOf(roomId);
  const other = 1 - home;
  await cluster.kill(home);
  ada.socket.close();
  const killedAt = Date.now();
  const first = await cluster.admin('GET', `/api/rooms/${roomId}/participants`, undefined, cluster.nodes[other]);
  assert.is(first.status, 503, 'the forward to the dead home fails');
  assert.is(first.headers.get('retry-after'), '1');
  const retry = await cluster.admin('GET', `/api/rooms/${roomId}/participants`, undefined, cluster.nodes[other]);
  const elapsed = Date.now() - killedAt;
  console.log(`[engines] kill -> API call answered by the survivor after ${elapsed} ms (NODE_TTL_MS 3000)`);
  assert.is(retry.status, 200, `the retry is answered by the survivor: ${retry.status}`);
  assert.ok(elapsed < 3_000, `before the heartbeat's expiry: ${elapsed} ms`);
  await cluster.startNode(home);
});

engines.run();
