import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClusterError } from '../../server/src/cluster/ClusterError.js';
import net from 'node:net';
import { DirectoryPlacement } from '../../server/src/cluster/DirectoryPlacement.js';
import { NodeDirectory, type NodeDirectoryOptions } from '../../server/src/cluster/NodeDirectory.js';
import { createLogger } from '../../server/src/logging/logger.js';
import { freeTcpPort } from '../../server/src/process/childProcesses.js';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * The node directory (server/src/cluster/) against a real redis-server: several directories in
 * this process stand for the nodes, plus a node in a child process that is SIGKILLed or
 * SIGSTOPped. Each test uses its own key prefix; the Redis restart comes last.
 */
interface Ctx {
  dir: string;
  redis?: LocalRedis;
  nodes: NodeDirectory[];
  children: ChildProcess[];
}
const test = suite<Ctx>('nodeDirectory', { dir: '', nodes: [], children: [] });
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHILD = path.join(ROOT, 'tests/fixtures/cluster/nodeDirectoryNode.ts');
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
/** Short periods, so that deaths and restarts are quick to see. */
const FAST = { heartbeatMs: 250, ttlMs: 750, maxReconnectDelayMs: 250 };
let port = 4000;

test.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cluster-'));
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis') });
});
test.after.each(async (ctx) => {
  for (const child of ctx.children.splice(0)) child.kill('SIGKILL');
  await Promise.all(ctx.nodes.splice(0).map((n) => n.close()));
});
test.after(async (ctx) => {
  await ctx.redis?.close();
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

async function node(ctx: Ctx, prefix: string, options: Partial<NodeDirectoryOptions> = {}): Promise<NodeDirectory> {
  const n = await NodeDirectory.start({ redisUrl: ctx.redis!.url, url: `http://127.0.0.1:${port++}`, prefix, log, ...FAST, ...options });
  ctx.nodes.push(n);
  return n;
}

interface ChildNode {
  child: ChildProcess;
  id: string;
  homes: Record<string, string>;
  lines: Array<Record<string, unknown>>;
}

/** A node in a child process; resolves once it has placed `rooms`. */
async function childNode(ctx: Ctx, prefix: string, rooms: string[], env: Record<string, string> = {}): Promise<ChildNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: ctx.redis!.url, CLUSTER_PREFIX: prefix, ROOMS: rooms.join(','), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ctx.children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  let errors = '';
  child.stdout!.on('data', (d) => {
    buffer += String(d);
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
    }
  });
  child.stderr!.on('data', (d) => (errors += String(d)));
  const ready = await waitFor('the child node to be ready', () => {
    if (child.exitCode !== null) throw new Error(`child node exited: ${errors}`);
    return lines.find((l) => l.event === 'ready');
  }, 30_000);
  return { child, id: ready.id as string, homes: ready.homes as Record<string, string>, lines };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, ClusterError);
    assert.is((error as ClusterError).code, code);
    return error as ClusterError;
  }
  throw new Error(`expected a ${code} rejection`);
}

test('a new room goes to the least loaded live node (rooms, then sessions); a live home is kept', async (ctx) => {
  const a = await node(ctx, 'least:', { load: () => ({ rooms: 0, sessions: 5 }) });
  const b = await node(ctx, 'least:', { load: () => ({ rooms: 0, sessions: 0 }) });
  const c = await node(ctx, 'least:', { load: () => ({ rooms: 0, sessions: 9 }) });
  const homes: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const placement = await a.placeRoom(`r${i}`);
    assert.ok(placement.placed);
    homes.push(placement.node.id);
  }
  // Fewest rooms first; among equals, fewest sessions (B 0, A 5, C 9).
  assert.equal(homes, [b.id, a.id, c.id, b.id, a.id, c.id]);
  const again = await c.placeRoom('r1');
  assert.is(again.node.id, b.id);
  assert.is(again.placed, false);
  assert.is((await c.homeOf('r1'))?.url, b.url);
  assert.is(await c.homeOf('nowhere'), undefined);
  assert.equal((await a.roomsOf(b.id)).sort(), ['r1', 'r4']);
  assert.equal((await b.liveNodes()).map((n) => n.id).sort(), [a.id, b.id, c.id].sort());
  // B learns at its next heartbeat of the rooms A placed on it.
  await waitFor('B to keep its rooms in memory', () => b.hostedRooms().sort().join() === 'r1,r4');
  assert.ok(await b.releaseRoom('r1'));
  assert.not.ok(await a.releaseRoom('r4', a.id), 'only the home releases');
  assert.is(await c.homeOf('r1'), undefined);
  assert.equal(b.hostedRooms(), ['r4']);
});

test('150 concurrent placements of one room from 3 directories give one home', async (ctx) => {
  const nodes = [await node(ctx, 'race:'), await node(ctx, 'race:'), await node(ctx, 'race:')];
  const rooms = ['same', 'other-1', 'other-2'];
  const calls = nodes.flatMap((n) => Array.from({ length: 50 }, (_, i) => n.placeRoom(rooms[i % rooms.length])));
  const answers = await Promise.all(calls);
  for (const room of rooms) {
    const mine = answers.filter((_, i) => rooms[(i % 50) % rooms.length] === room);
    assert.is(new Set(mine.map((p) => p.node.id)).size, 1, `${room}: one home`);
    assert.is(mine.filter((p) => p.placed).length, 1, `${room}: placed once`);
    const holders = (await Promise.all(nodes.map((n) => nodes[0].roomsOf(n.id)))).filter((r) => r.includes(room));
    assert.is(holders.length, 1, `${room}: in one hosted set`);
  }
});

test('a SIGKILLed node is declared dead within TTL + one heartbeat; its rooms are placed again, once', async (ctx) => {
  // Default periods (1 s, TTL 3 s): the figure printed is the production one.
  const periods = { heartbeatMs: 1000, ttlMs: 3000 };
  const rooms = ['k1', 'k2', 'k3'];
  const victim = await childNode(ctx, 'kill:', rooms);
  assert.equal(Object.values(victim.homes), [victim.id, victim.id, victim.id], 'alone, it hosts them all');
  const a = await node(ctx, 'kill:', periods);
  const b = await node(ctx, 'kill:', periods);
  assert.is((await a.homeOf('k1'))?.id, victim.id);
  const downs = [a, b].map((n) => new Promise<{ at: number; id: string; rooms: string[] }>((resolve) => n.on('nodeDown', (id, r) => resolve({ at: Date.now(), id, rooms: r }))));
  await sleep(Math.random() * periods.heartbeatMs); // any moment of its heartbeat period
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  const [downA, downB] = await Promise.all(downs);
  const elapsed = [downA.at - killedAt, downB.at - killedAt];
  console.log(`SIGKILL -> nodeDown: ${elapsed.join(' ms, ')} ms (heartbeat ${periods.heartbeatMs} ms, TTL ${periods.ttlMs} ms)`);
  for (const down of [downA, downB]) {
    assert.is(down.id, victim.id);
    assert.equal(down.rooms.sort(), rooms);
  }
  assert.ok(Math.max(...elapsed) <= periods.ttlMs + periods.heartbeatMs + 500, `seen dead within TTL + one heartbeat: ${elapsed}`);
  assert.not.ok((await a.liveNodes()).some((n) => n.id === victim.id));
  // Both survivors re-place the rooms at the same time: compare-and-set on the dead home.
  const answers = await Promise.all(rooms.flatMap((room) => Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).placeRoom(room))));
  for (const room of rooms) {
    const mine = answers.filter((p, i) => rooms[Math.floor(i / 20)] === room && p);
    assert.is(new Set(mine.map((p) => p.node.id)).size, 1, `${room}: one new home`);
    const moves = mine.filter((p) => p.placed);
    assert.is(moves.length, 1, `${room}: moved once`);
    assert.is(moves[0].previousHome, victim.id);
    assert.ok([a.id, b.id].includes(mine[0].node.id));
  }
  assert.equal((await a.roomsOf(victim.id)).sort(), rooms, 'the dead node still says what it hosted');
});

test('NODE-5b: a home reported unreachable whose port refuses connections is buried before its heartbeat expires; one that answers, or is silent, is not', async (ctx) => {
  const periods = { heartbeatMs: 1000, ttlMs: 3000 };
  const victimUrl = `http://127.0.0.1:${await freeTcpPort()}`;
  const victim = await childNode(ctx, 'probe:', ['p1'], { LISTEN: '1', NODE_URL: victimUrl });
  const a = await node(ctx, 'probe:', periods);
  const placement = await DirectoryPlacement.start(a);
  // Alive and answering: the report is not believed.
  assert.equal(await placement.place('p1', undefined, victimUrl), { here: false, node: victimUrl });
  victim.child.kill('SIGKILL');
  await waitFor('the victim to be gone', () => victim.child.exitCode !== null || victim.child.signalCode !== null);
  const reportedAt = Date.now();
  assert.equal(await placement.place('p1', undefined, victimUrl), { here: true }, 'the room comes here at once');
  const elapsed = Date.now() - reportedAt;
  console.log(`unreachable home reported -> room placed again: ${elapsed} ms (TTL ${periods.ttlMs} ms)`);
  assert.ok(elapsed < periods.ttlMs, `before the heartbeat would expire: ${elapsed} ms`);
  assert.not.ok((await a.liveNodes()).some((n) => n.id === victim.id), 'its heartbeat key is gone');
  // Silent (accepts, never answers: a stalled or cut-off node) and a report naming another address: kept.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const b = await node(ctx, 'probe:', { ...periods, url: silentUrl });
    await a.setDraining(true);
    assert.is((await b.placeRoom('p2')).node.id, b.id);
    await a.setDraining(false);
    assert.equal(await placement.place('p2', undefined, silentUrl), { here: false, node: silentUrl });
    assert.equal(await placement.place('p2', undefined, 'http://127.0.0.1:1'), { here: false, node: silentUrl });
    assert.ok((await a.liveNodes()).some((n) => n.id === b.id), 'the silent node stays live until its heartbeat says otherwise');
    // A node restarted under the same id (another startedAt) is never buried by a stale probe.
    const record = (await a.liveNodes()).find((n) => n.id === b.id)!;
    assert.is(await a.bury({ ...record, startedAt: record.startedAt - 1 }), false);
    assert.ok((await a.liveNodes()).some((n) => n.id === b.id));
  } finally {
    silent.close();
  }
});

test('a node silent past the TTL (SIGSTOP) comes back without the rooms moved meanwhile (roomLost)', async (ctx) => {
  const sleeper = await childNode(ctx, 'stop:', ['s1', 's2'], { HEARTBEAT_MS: String(FAST.heartbeatMs), TTL_MS: String(FAST.ttlMs) });
  const a = await node(ctx, 'stop:');
  const down = new Promise<string>((resolve) => a.on('nodeDown', (id) => resolve(id)));
  sleeper.child.kill('SIGSTOP');
  assert.is(await down, sleeper.id);
  const moved = await a.placeRoom('s1');
  assert.is(moved.node.id, a.id);
  sleeper.child.kill('SIGCONT');
  const lost = await waitFor('the node back to report s1 lost', () => sleeper.lines.find((l) => l.event === 'roomLost'));
  assert.equal(lost, { event: 'roomLost', room: 's1', home: a.id });
  await waitFor('the node back to be live again', async () => (await a.liveNodes()).some((n) => n.id === sleeper.id));
  assert.is((await a.homeOf('s2'))?.id, sleeper.id, 's2, not moved, is claimed back');
  assert.equal(await a.roomsOf(sleeper.id), ['s2']);
  assert.is((await a.homeOf('s1'))?.id, a.id);
});

test('a draining node gets no new room but keeps its own; with all draining, NO_ELIGIBLE_NODE', async (ctx) => {
  const a = await node(ctx, 'drain:');
  const b = await node(ctx, 'drain:');
  const first = await a.placeRoom('d0');
  const owner = first.node.id === a.id ? a : b;
  const other = owner === a ? b : a;
  await owner.setDraining(true);
  assert.ok((await other.liveNodes()).find((n) => n.id === owner.id)?.draining);
  for (let i = 1; i <= 5; i++) assert.is((await owner.placeRoom(`d${i}`)).node.id, other.id);
  assert.is((await other.placeRoom('d0')).node.id, owner.id, 'its room stays');
  await other.setDraining(true);
  const error = await rejectsWith(a.placeRoom('d9'), 'NO_ELIGIBLE_NODE');
  assert.ok(error.retryable);
  await owner.setDraining(false);
  assert.is((await a.placeRoom('d9')).node.id, owner.id);
});

test('close() deletes the heartbeat (seen at once), is idempotent, and later calls reject with CLOSED', async (ctx) => {
  const a = await node(ctx, 'close:');
  const seen = new Promise((resolve) => a.on('nodeUp', resolve));
  const b = await node(ctx, 'close:');
  await seen; // a nodeDown only follows a nodeUp: A must have seen B
  await b.placeRoom('c1');
  const down = new Promise<[string, string[]]>((resolve) => a.on('nodeDown', (...args) => resolve(args)));
  const room = (await a.homeOf('c1'))!.id === b.id ? 'c1' : undefined;
  await Promise.all([b.close(), b.close()]);
  await b.close();
  assert.equal((await a.liveNodes()).map((n) => n.id), [a.id]);
  const [id, rooms] = await down;
  assert.is(id, b.id);
  assert.equal(rooms, room ? [room] : []);
  assert.is((await a.placeRoom('c1')).node.id, a.id);
  const error = await rejectsWith(b.liveNodes(), 'CLOSED');
  assert.not.ok(error.retryable);
});

test('start() without a reachable Redis rejects with CLUSTER_UNAVAILABLE and leaves nothing running', async () => {
  const started = Date.now();
  const nowhere = `redis://127.0.0.1:${await freeTcpPort()}`;
  const error = await rejectsWith(NodeDirectory.start({ redisUrl: nowhere, url: 'http://127.0.0.1:1', prefix: 'none:', log, ...FAST }), 'CLUSTER_UNAVAILABLE');
  assert.ok(error.retryable);
  assert.ok(Date.now() - started < 2_000, `rejected after ${Date.now() - started} ms`);
});

test('Redis restarted without persistence: calls reject with CLUSTER_UNAVAILABLE meanwhile, then nodes and homes are rebuilt', async (ctx) => {
  const a = await node(ctx, 'restart:');
  const b = await node(ctx, 'restart:');
  const homes = new Map<string, string>();
  for (const room of ['m1', 'm2', 'm3', 'm4']) homes.set(room, (await a.placeRoom(room)).node.id);
  assert.is(new Set(homes.values()).size, 2);
  await waitFor('B to know its rooms', () => b.hostedRooms().length === 2);
  const events: string[] = [];
  for (const n of [a, b]) {
    n.on('nodeDown', (id) => events.push(`nodeDown ${id}`));
    n.on('roomLost', (room) => events.push(`roomLost ${room}`));
  }
  const unavailable = [a, b].map((n) => new Promise<ClusterError>((resolve) => n.once('unavailable', resolve)));
  const available = [a, b].map((n) => new Promise<void>((resolve) => n.once('available', resolve)));
  const redisPort = ctx.redis!.port;
  await ctx.redis!.close();
  const outageStart = Date.now();
  for (const call of [a.placeRoom('m5'), a.liveNodes(), b.homeOf('m1'), b.setDraining(false)]) {
    const error = await rejectsWith(call, 'CLUSTER_UNAVAILABLE');
    assert.ok(error.retryable);
  }
  console.log(`calls during the outage rejected within ${Date.now() - outageStart} ms`);
  for (const error of await Promise.all(unavailable)) assert.is(error.code, 'CLUSTER_UNAVAILABLE');
  await sleep(2 * FAST.ttlMs); // longer than a TTL: nothing must be declared dead for it
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis'), port: redisPort });
  const restartedAt = Date.now();
  await waitFor('live nodes and homes rebuilt', async () => {
    const live = (await a.liveNodes()).map((n) => n.id).sort();
    if (live.join() !== [a.id, b.id].sort().join()) return false;
    for (const [room, home] of homes) if ((await b.homeOf(room))?.id !== home) return false;
    return true;
  }, 5_000, 20);
  const rebuiltMs = Date.now() - restartedAt;
  console.log(`Redis restart -> live nodes and homes rebuilt in ${rebuiltMs} ms (heartbeat ${FAST.heartbeatMs} ms, reconnect delay <= ${FAST.maxReconnectDelayMs} ms)`);
  assert.ok(rebuiltMs < 2_000, `rebuilt in ${rebuiltMs} ms`);
  await Promise.all(available);
  await sleep(3 * FAST.ttlMs); // past the settling time: still nobody declared dead
  assert.equal(events, []);
  assert.equal(b.hostedRooms().sort(), [...homes].filter(([, h]) => h === b.id).map(([r]) => r).sort());
  assert.is((await a.placeRoom('m5')).placed, true);
});

test.run();
