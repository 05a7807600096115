import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClusterError } from '../../server/src/cluster/ClusterError.js';
import { NodeDirectory, type NodeDirectoryOptions } from '../../server/src/cluster/NodeDirectory.js';
import type { NodeLoad } from '../../server/src/cluster/nodeInfo.js';
import { createLogger } from '../../server/src/logging/logger.js';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * SPAN-5/6 (docs/spec/span.md): a room's annex in the node directory, against a real
 * redis-server: directories in this process stand for the nodes (plus one in a child process,
 * SIGKILLed). Each test uses its own key prefix; the Redis restart comes last.
 */
interface Ctx {
  dir: string;
  redis?: LocalRedis;
  nodes: NodeDirectory[];
  children: ChildProcess[];
}
const test = suite<Ctx>('node annex placement', { dir: '', nodes: [], children: [] });
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHILD = path.join(ROOT, 'tests/fixtures/cluster/nodeDirectoryNode.ts');
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const FAST = { heartbeatMs: 250, ttlMs: 750, maxReconnectDelayMs: 250 };
let port = 5000;

test.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-annex-'));
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

/** A node that may be an annex (a link address, this release's version), unless `options` say otherwise. */
async function node(ctx: Ctx, prefix: string, id: string, options: Partial<NodeDirectoryOptions> = {}): Promise<NodeDirectory> {
  const url = `http://127.0.0.1:${port++}`;
  const n = await NodeDirectory.start({ redisUrl: ctx.redis!.url, url, linkUrl: url, id, prefix, log, ...FAST, ...options });
  ctx.nodes.push(n);
  return n;
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

interface ChildNode {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
}

/** A node in a child process (tests/fixtures/cluster/nodeDirectoryNode.ts) that may be an annex, hosting `annexes`. */
async function childNode(ctx: Ctx, prefix: string, id: string, annexes: string[] = []): Promise<ChildNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env, REDIS_URL: ctx.redis!.url, CLUSTER_PREFIX: prefix, NODE_ID: id, LINK_URL: `http://127.0.0.1:${port++}`,
      ANNEXES: annexes.join(','), HEARTBEAT_MS: String(FAST.heartbeatMs), TTL_MS: String(FAST.ttlMs),
    },
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
  await waitFor('the child node to be ready', () => {
    if (child.exitCode !== null) throw new Error(`child node exited: ${errors}`);
    return lines.some((l) => l.event === 'ready');
  }, 30_000);
  return { child, lines };
}

test('concurrent placeAnnex calls from 3 nodes agree on one annex, placed once, never the home', async (ctx) => {
  const nodes = [await node(ctx, 'race:', 'n1'), await node(ctx, 'race:', 'n2'), await node(ctx, 'race:', 'n3'), await node(ctx, 'race:', 'n4')];
  const rooms = ['same', 'other-1', 'other-2'];
  // Each room has its home (placed as a join would); every node asks for its annex at once.
  const homes = new Map<string, string>();
  for (const room of rooms) homes.set(room, (await nodes[0].placeRoom(room)).node.id);
  const calls = nodes.flatMap((n) => Array.from({ length: 30 }, (_, i) => ({ room: rooms[i % 3], answer: n.placeAnnex(rooms[i % 3], homes.get(rooms[i % 3])) })));
  const answers = await Promise.all(calls.map(async (c) => ({ room: c.room, placement: await c.answer })));
  for (const room of rooms) {
    const mine = answers.filter((a) => a.room === room).map((a) => a.placement);
    assert.is(mine.length, 40);
    assert.is(new Set(mine.map((p) => p.node.id)).size, 1, `${room}: one annex`);
    assert.is(mine.filter((p) => p.placed).length, 1, `${room}: placed once`);
    assert.is.not(mine[0].node.id, homes.get(room), `${room}: not its home`);
    assert.is((await nodes[3].annexOf(room))?.id, mine[0].node.id);
    const holders = (await Promise.all(nodes.map((n) => nodes[0].annexRoomsOf(n.id)))).filter((r) => r.includes(room));
    assert.is(holders.length, 1, `${room}: in one annexed set`);
  }
  // The home named by the caller is never chosen either, even when the room has no recorded home.
  for (let i = 0; i < 8; i++) assert.is.not((await nodes[1].placeAnnex(`free-${i}`, 'n1')).node.id, 'n1');
  // An annex that became the room's home (the room moved there) is replaced.
  const annex = (await nodes[0].annexOf('same'))!.id;
  const moved = await nodes[0].placeAnnex('same', annex);
  assert.ok(moved.placed);
  assert.is(moved.previousAnnex, annex);
  assert.is.not(moved.node.id, annex);
});

test('the least loaded eligible node: fewest participants, then fewest rooms; over its limit, another version, draining or without a link address: never', async (ctx) => {
  const loads: Record<string, NodeLoad> = {};
  const load = (id: string, participants: number) => (loads[id] = { rooms: 0, sessions: 0, participants });
  const opts = (id: string, participants: number, more: Partial<NodeDirectoryOptions> = {}) => {
    load(id, participants);
    return { load: () => loads[id], ...more };
  };
  const home = await node(ctx, 'load:', 'h', opts('h', 0));
  await node(ctx, 'load:', 'b', opts('b', 4, { maxParticipants: 10 }));
  await node(ctx, 'load:', 'c', opts('c', 4));
  await node(ctx, 'load:', 'full', opts('full', 3, { maxParticipants: 3 }));
  await node(ctx, 'load:', 'old', opts('old', 0, { version: '0.0.1-old' }));
  await node(ctx, 'load:', 'nolink', opts('nolink', 0, { linkUrl: undefined }));
  const draining = await node(ctx, 'load:', 'draining', opts('draining', 0));
  await draining.setDraining(true);
  // b and c have as many participants: the fewest rooms (homed or annexed) next, then the id.
  const chosen: string[] = [];
  for (let i = 1; i <= 4; i++) chosen.push((await home.placeAnnex(`l${i}`)).node.id);
  assert.equal(chosen, ['b', 'c', 'b', 'c']);
  // Participants first: c busier now (published at its next heartbeat).
  load('c', 9);
  await sleep(2 * FAST.heartbeatMs);
  assert.is((await home.placeAnnex('l5')).node.id, 'b');
  // b reaches its limit: c, which has none, even busier.
  load('b', 10);
  load('c', 50);
  await sleep(2 * FAST.heartbeatMs);
  assert.is((await home.placeAnnex('l6')).node.id, 'c');
  // A room's live annex is kept even at its limit (the caller sees its load: ROOM_FULL is its word).
  const kept = await home.placeAnnex('l1');
  assert.is(kept.node.id, 'b');
  assert.not.ok(kept.placed);
  assert.is(kept.node.load.participants, 10);
  assert.is(kept.node.maxParticipants, 10);
  // Nobody eligible: NO_ELIGIBLE_NODE (retryable).
  load('c', 0);
  await (ctx.nodes.find((n) => n.id === 'c')!).setDraining(true);
  const none = await rejectsWith(home.placeAnnex('l7'), 'NO_ELIGIBLE_NODE');
  assert.ok(none.retryable);
  load('b', 9);
  await sleep(2 * FAST.heartbeatMs);
  assert.is((await home.placeAnnex('l7')).node.id, 'b', 'under its limit again');
  const info = (await home.liveNodes()).find((n) => n.id === 'old')!;
  assert.is(info.version, '0.0.1-old');
  assert.is(home.version, (await home.liveNodes()).find((n) => n.id === 'b')!.version);
});

test('a dead annex (SIGKILL, or stopped) is replaced at the next call; release is compare-and-delete', async (ctx) => {
  const home = await node(ctx, 'dead:', 'a-home');
  // The only candidate at first: a node in a child process, killed for real.
  const victim = await childNode(ctx, 'dead:', 'a-victim');
  const first = await home.placeAnnex('d1');
  assert.is(first.node.id, 'a-victim');
  assert.match(first.node.linkUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(first.placed);
  const other = await node(ctx, 'dead:', 'z-other');
  assert.is((await home.placeAnnex('d1')).node.id, 'a-victim', 'alive: kept');
  victim.child.kill('SIGKILL');
  await waitFor('the killed annex to expire', async () => !(await home.liveNodes()).some((n) => n.id === 'a-victim'), 5_000, 50);
  assert.is(await home.annexOf('d1'), undefined, 'a dead annex is no annex');
  const replaced = await home.placeAnnex('d1');
  assert.is(replaced.node.id, other.id);
  assert.ok(replaced.placed);
  assert.is(replaced.previousAnnex, 'a-victim');
  assert.equal(await home.annexRoomsOf('a-victim'), [], 'the dead one no longer listed as its annex');
  // Release: only by the current annex (compare-and-delete).
  assert.not.ok(await home.releaseAnnex('d1', 'a-victim'));
  assert.is((await home.annexOf('d1'))?.id, other.id);
  other.annexOpened('d1');
  assert.equal(other.annexRooms(), ['d1']);
  assert.ok(await other.releaseAnnex('d1'));
  assert.equal(other.annexRooms(), [], 'released: no longer hosted here');
  assert.is(await home.annexOf('d1'), undefined);
  assert.equal(await home.annexRoomsOf(other.id), []);
  assert.not.ok(await other.releaseAnnex('d1'), 'twice: nothing to release');
  // A stopped annex (close(): its heartbeat deleted) is replaced at once.
  const third = await node(ctx, 'dead:', 'y-third');
  assert.is((await home.placeAnnex('d2')).node.id, third.id, 'fewest rooms: y-third (z-other had d1)');
  await third.close();
  assert.is((await home.placeAnnex('d2')).node.id, other.id);
});

test('a node silent past the TTL (SIGSTOP) claims its annexes back, except one given to another node meanwhile (annexLost)', async (ctx) => {
  const home = await node(ctx, 'stop:', 'a-home');
  const sleeper = await childNode(ctx, 'stop:', 'b-sleeper', ['s1', 's2']);
  assert.is((await home.placeAnnex('s1')).node.id, 'b-sleeper');
  assert.is((await home.placeAnnex('s2')).node.id, 'b-sleeper');
  const down = new Promise<string>((resolve) => home.on('nodeDown', resolve));
  sleeper.child.kill('SIGSTOP');
  assert.is(await down, 'b-sleeper');
  // Meanwhile s2 needs an annex: another node takes it.
  const c = await node(ctx, 'stop:', 'c');
  const moved = await home.placeAnnex('s2');
  assert.is(moved.node.id, c.id);
  assert.is(moved.previousAnnex, 'b-sleeper');
  sleeper.child.kill('SIGCONT');
  const lost = await waitFor('the node back to report s2 lost', () => sleeper.lines.find((l) => l.event === 'annexLost'), 5_000, 20);
  assert.equal(lost, { event: 'annexLost', room: 's2', other: c.id });
  await waitFor('the node back to be live again', async () => (await home.liveNodes()).some((n) => n.id === 'b-sleeper'), 5_000, 20);
  assert.is((await home.annexOf('s1'))?.id, 'b-sleeper', 's1, not moved, is claimed back');
  assert.equal(await home.annexRoomsOf('b-sleeper'), ['s1']);
  assert.is((await home.annexOf('s2'))?.id, c.id);
  assert.equal(await home.annexRoomsOf(c.id), ['s2']);
});

test('Redis restarted empty: an annex claims back the rooms whose media it hosts (and only those)', async (ctx) => {
  const home = await node(ctx, 'restart:', 'a-home');
  const b = await node(ctx, 'restart:', 'b');
  assert.is((await home.placeAnnex('r1')).node.id, 'b');
  assert.is((await home.placeAnnex('r2')).node.id, 'b');
  b.annexOpened('r1'); // r2: placed, but b never opened its shard
  const lost: string[] = [];
  b.on('annexLost', (room) => lost.push(room));
  const redisPort = ctx.redis!.port;
  await ctx.redis!.close();
  await sleep(500);
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis'), port: redisPort });
  const restartedAt = Date.now();
  await waitFor('b to claim its annex back', async () => (await home.annexOf('r1'))?.id === 'b', 5_000, 20);
  console.log(`Redis restart -> annex claimed back within ${Date.now() - restartedAt} ms of Redis answering (heartbeat ${FAST.heartbeatMs} ms)`);
  // What Redis lost and no node hosts is gone: r2 gets an annex at its next placement.
  assert.is(await home.annexOf('r2'), undefined);
  assert.equal(await home.annexRoomsOf('b'), ['r1']);
  assert.equal(lost, []);
  // And placement agrees: the room's annex is kept.
  assert.equal(await home.placeAnnex('r1').then((p) => [p.node.id, p.placed]), ['b', false]);
});

test.run();
