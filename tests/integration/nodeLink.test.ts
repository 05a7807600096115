import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, NODE_LINK_EVENT, NODE_LINK_PATH, NODE_LINK_TOKEN_TYP, type ClusterNodes, type ErrorPayload, type NodeLinkPing } from '@nomades/shared';
import { NodeDirectory } from '../../server/src/cluster/NodeDirectory.js';
import { NodeLinks, type NodeLinksOptions } from '../../server/src/cluster/NodeLinks.js';
import { NodeLinkTokens } from '../../server/src/cluster/NodeLinkTokens.js';
import { createLogger } from '../../server/src/logging/logger.js';
import { Cluster } from '../helpers/Cluster.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * SPAN-2/4 (docs/spec/span.md): the authenticated link between nodes. Two real nodes (`npm start`
 * processes of tests/helpers/Cluster.ts: real PostgreSQL, redis-server) and, in this process,
 * `NodeLinks` of test nodes registered in the same directory with an HTTP server of their own
 * (real sockets, real tokens, real Redis): they link with the real nodes exactly as a node does.
 * Test node ids start with "a-" so that they sort before "node0": they dial the real nodes.
 */
interface TestNode {
  id: string;
  port: number;
  directory: NodeDirectory;
  links: NodeLinks;
  close(): Promise<void>;
}
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  nodes: TestNode[];
  sockets: Socket[];
}
const test = suite<Ctx>('node link', { nodes: [], sockets: [] });
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

test.before(async (ctx) => {
  try {
    // SPAN-5: node1 takes at most 40 media participants (node0: no limit).
    ctx.cluster = await Cluster.start(2, {}, (i): Record<string, string> => (i === 1 ? { NODE_MAX_PARTICIPANTS: '40' } : {}));
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
test.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
test.after.each(async (ctx) => {
  for (const s of ctx.sockets.splice(0)) s.disconnect();
  await Promise.all(ctx.nodes.splice(0).map((n) => n.close()));
});
test.after(async (ctx) => {
  await ctx.cluster?.close();
});

/** A node of this process: an HTTP server, its record in the directory (draining: no room is placed on it), its links. */
async function testNode(ctx: Ctx, id: string, options: Partial<NodeLinksOptions> = {}): Promise<TestNode> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const directory = await NodeDirectory.start({ redisUrl: ctx.cluster!.redis.url, url, linkUrl: url, id, heartbeatMs: 250, ttlMs: 1000, log });
  await directory.setDraining(true);
  const links = await NodeLinks.start({ server, directory, tokenSecret: ctx.cluster!.tokenSecret, log, requestTimeoutMs: 1000, ...options });
  const node: TestNode = {
    id,
    port,
    directory,
    links,
    close: async () => {
      links.close();
      await directory.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  ctx.nodes.push(node);
  return node;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, AppError, `an AppError, not ${String(error)}`);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

async function ping(cluster: Cluster, from: number, to: string): Promise<{ status: number; body: NodeLinkPing & { error?: ErrorPayload } }> {
  const res = await cluster.admin('GET', `/api/nodes/${to}/ping`, undefined, cluster.nodes[from]);
  return { status: res.status, body: (await res.json()) as NodeLinkPing & { error?: ErrorPayload } };
}

/** A token as a node would sign it, with what a test changes. */
async function token(key: Uint8Array, claims: { iss: string; aud: string; iat?: number; exp?: number; jti?: string }, typ = NODE_LINK_TOKEN_TYP): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 30)
    .setJti(claims.jti ?? randomUUID())
    .sign(key);
}

/** A bare socket.io client on a node's /node-link: its hello, or its refusal. */
function rawConnect(ctx: Ctx, port: number, auth: string | undefined, headers: Record<string, string> = {}): Promise<{ socket: Socket; hello?: unknown; refused?: ErrorPayload }> {
  const socket = io(`http://127.0.0.1:${port}`, {
    path: NODE_LINK_PATH,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: auth === undefined ? {} : { token: auth },
    extraHeaders: headers,
  });
  ctx.sockets.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no hello and no refusal within 5 s')), 5_000);
    socket.on('connect_error', (error: Error & { data?: ErrorPayload }) => {
      clearTimeout(timer);
      resolve({ socket, refused: error.data ?? { code: 'INTERNAL', message: error.message } });
    });
    socket.once(NODE_LINK_EVENT, (frame: Buffer) => {
      clearTimeout(timer);
      resolve({ socket, hello: JSON.parse(Buffer.from(frame).toString('utf8')) });
    });
  });
}

/** Sends a raw frame and waits for the answer to request `id` (or nothing within `ms`). */
function rawAsk(socket: Socket, frame: unknown, id: number | undefined, ms = 2_000): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off(NODE_LINK_EVENT, listener);
      resolve(undefined);
    }, ms);
    const listener = (answer: Buffer) => {
      const m = JSON.parse(Buffer.from(answer).toString('utf8')) as Record<string, unknown>;
      if (id === undefined || m.id !== id) return;
      clearTimeout(timer);
      socket.off(NODE_LINK_EVENT, listener);
      resolve(m);
    };
    socket.on(NODE_LINK_EVENT, listener);
    socket.emit(NODE_LINK_EVENT, frame);
  });
}

const frame = (envelope: unknown) => Buffer.from(JSON.stringify(envelope));

test('two real nodes reach each other over the link, both ways (link.ping through GET /api/nodes/:id/ping)', async (ctx) => {
  const cluster = ctx.cluster!;
  // node0 dials node1 (its id sorts first); node1 answers and asks on the connection it accepted.
  const there = await waitFor('node0 → node1 over the link', async () => {
    const r = await ping(cluster, 0, 'node1');
    return r.status === 200 ? r.body : undefined;
  }, 15_000);
  assert.is(there.from, 'node0');
  assert.is(there.node, 'node1');
  assert.ok(Math.abs(there.time - Date.now()) < 5_000, 'node1 answers with its clock');
  assert.ok(there.ms >= 0 && there.ms < 1_000, `round trip ${there.ms} ms`);
  const back = await ping(cluster, 1, 'node0');
  assert.is(back.status, 200, JSON.stringify(back.body));
  assert.is(back.body.node, 'node0');
  const nobody = await ping(cluster, 0, 'node9');
  assert.is(nobody.status, 404);
  assert.is(nobody.body.error?.code, 'NOT_FOUND');
  process.stdout.write(`  link.ping node0 → node1 ${there.ms} ms, node1 → node0 ${back.body.ms} ms\n`);
});

test('SPAN-5/6 on real nodes: version, limit and participants published; the annex placed by the directory shown in GET /api/nodes; /healthz says the node\'s annex rooms', async (ctx) => {
  const cluster = ctx.cluster!;
  // A participant in a room: its node counts it (published at its next heartbeat).
  const { id: roomId } = await cluster.createRoom({ name: 'Annexe' });
  const token = await cluster.mintToken(roomId, 'Ada');
  let socket;
  for (let i = 0; ; i++) {
    try {
      socket = await connectSocket(cluster.url(i % 2), { token, roomId });
      break;
    } catch (error) {
      if (i > 2) throw error; // WRONG_NODE: the other one hosts it
    }
  }
  ctx.sockets.push(socket);
  await request(socket, 'join', {});
  const host = await cluster.hostOf(roomId);
  const listed = await waitFor('the participant published', async () => {
    const r = await cluster.directory();
    return r.nodes[host]?.load.participants === 1 ? r : undefined;
  }, 5_000, 100);
  const [n0, n1] = listed.nodes.filter((n) => n.id.startsWith('node'));
  assert.is(n0.maxParticipants, undefined);
  assert.is(n1.maxParticipants, 40);
  assert.is(n0.version, n1.version);
  assert.match(n0.version ?? '', /^\d+\.\d+\.\d+/);
  assert.equal([n0.linkUrl, n1.linkUrl], [cluster.url(0), cluster.url(1)]);
  assert.is(listed.nodes[1 - host].load.participants, 0);
  // The room's home asks for its annex (the test nodes are draining: the other real node).
  const a = await testNode(ctx, 'a-annex');
  const home = `node${host}`;
  const annex = await a.directory.placeAnnex(roomId, home);
  assert.is(annex.node.id, `node${1 - host}`);
  const after = (await (await cluster.admin('GET', '/api/nodes')).json()) as ClusterNodes;
  assert.equal(after.nodes.find((n) => n.id === annex.node.id)?.annexRooms, [roomId]);
  assert.equal(after.nodes.find((n) => n.id === home)?.annexRooms, []);
  assert.equal(after.nodes.find((n) => n.id === home)?.rooms, [roomId]);
  // /healthz: what the node itself hosts (no shard opened yet: the media shard host calls annexOpened).
  const health = (await (await fetch(`${cluster.url(1)}/healthz`)).json()) as { node: { annexRooms: string[]; maxParticipants?: number; participants: number; version: string } };
  assert.equal(health.node.annexRooms, []);
  assert.is(health.node.maxParticipants, 40);
  assert.is(health.node.participants, host === 1 ? 1 : 0);
  assert.is(health.node.version, n1.version);
  assert.ok(await a.directory.releaseAnnex(roomId, annex.node.id));
  assert.equal(((await (await cluster.admin('GET', '/api/nodes')).json()) as ClusterNodes).nodes.find((n) => n.id === annex.node.id)?.annexRooms, []);
  socket.disconnect();
});

test('requests, answers, errors and events of a room channel, both ways, between two nodes (real sockets and tokens)', async (ctx) => {
  const a = await testNode(ctx, 'a-link-1');
  const b = await testNode(ctx, 'a-link-2', { maxPendingRequests: 5 });
  const notes: unknown[] = [];
  const closedOnB: string[] = [];
  let hanging = 0;
  // b serves rooms whose id starts with "span"; other rooms are refused (nothing registered).
  b.links.onRoomChannel((roomId, channel) => {
    if (!roomId.startsWith('span')) return;
    channel.handle('echo', async (data) => ({ echo: data, room: roomId, by: b.id }));
    channel.handle('refuse', async () => {
      throw new AppError('CONFLICT', 'refused on purpose', { reason: 'test' });
    });
    channel.handle('crash', async () => {
      throw new TypeError('a bug of the handler');
    });
    channel.handle('hang', () => {
      hanging++;
      return new Promise(() => undefined);
    });
    channel.handle('huge', async () => 'x'.repeat(2 * 1024 * 1024));
    channel.on('note', (data) => {
      notes.push(data);
      if ((data as { n: number }).n === 99) channel.send('noted', { count: notes.length });
    });
    channel.onClose(() => closedOnB.push(roomId));
  });
  const channel = a.links.channel('span-1', b.id);
  assert.is(channel.nodeId, b.id);
  // Asked at once: the request waits for the connection (a dials b: 'a-link-1' sorts first).
  assert.equal(await channel.request('echo', { x: [1, 'deux', null] }), { echo: { x: [1, 'deux', null] }, room: 'span-1', by: b.id });
  const refused = await rejection(channel.request('refuse', {}));
  assert.is(refused.code, 'CONFLICT');
  assert.is(refused.message, 'refused on purpose');
  assert.equal(refused.params, { reason: 'test' });
  const crashed = await rejection(channel.request('crash', {}));
  assert.is(crashed.code, 'INTERNAL');
  assert.not.match(crashed.message, /bug of the handler/, 'an exception\'s own message stays on its node');
  assert.is((await rejection(channel.request('nope', {}))).code, 'NOT_FOUND');
  assert.is((await rejection(a.links.channel('other-room', b.id).request('echo', {}))).code, 'NOT_FOUND');
  // Too large to send: refused here, nothing sent; too large to answer: INTERNAL from there.
  assert.is((await rejection(channel.request('echo', 'y'.repeat(2 * 1024 * 1024)))).code, 'BAD_REQUEST');
  assert.is((await rejection(channel.request('huge', {}))).code, 'INTERNAL');
  // Events arrive in order; b answers with an event of its own on the same channel.
  const noted = new Promise((resolve) => channel.on('noted', resolve));
  for (let n = 0; n < 100; n++) channel.send('note', { n });
  assert.equal(await noted, { count: 100 });
  assert.equal(notes.map((d) => (d as { n: number }).n), [...Array(100).keys()]);
  // The accepting node asks the dialing one on the same connection.
  a.links.onRoomChannel((roomId, ch) => ch.handle('whoami', async () => ({ node: a.id, roomId })));
  assert.equal(await b.links.channel('span-2', a.id).request('whoami', null), { node: a.id, roomId: 'span-2' });
  // A bound on what waits for an answer: b allows 5 (each then times out UNAVAILABLE, 1 s here).
  // (a's channel of span-1 is the one it opened: the same channel takes b's requests about that room.)
  const bToA = b.links.channel('span-1', a.id);
  channel.handle('hang', () => new Promise(() => undefined));
  const started = Date.now();
  const waiting = Array.from({ length: 5 }, () => rejection(bToA.request('hang', {})));
  const over = await rejection(bToA.request('hang', {}));
  assert.is(over.code, 'UNAVAILABLE');
  assert.ok(Date.now() - started < 200, 'the sixth is refused at once');
  for (const error of await Promise.all(waiting)) assert.is(error.code, 'UNAVAILABLE');
  const waited = Date.now() - started;
  assert.ok(waited >= 950 && waited < 2_000, `timed out after ${waited} ms (timeout 1000)`);
  // close() ends the room's channel on both sides; the link and the other rooms' channels stay.
  const other = a.links.channel('span-3', b.id);
  assert.equal((await other.request('echo', 1)) as object, { echo: 1, room: 'span-3', by: b.id });
  let closedOnA = 0;
  channel.onClose(() => closedOnA++);
  channel.close();
  assert.is(closedOnA, 1);
  await waitFor('b\'s channel of span-1 to close', () => closedOnB.includes('span-1'), 3_000, 20);
  assert.not.ok(closedOnB.includes('span-3'));
  assert.is((await rejection(channel.request('echo', 1))).code, 'UNAVAILABLE');
  assert.equal(await a.links.channel('span-1', b.id).request('echo', 2), { echo: 2, room: 'span-1', by: b.id }, 'a new channel for the room');
  // An event about a room with no open channel here (a late one of a channel a closed) opens
  // nothing: only a request does (else a home would open a media shard of its own room).
  const offeredOnA: string[] = [];
  a.links.onRoomChannel((roomId) => offeredOnA.push(roomId));
  b.links.channel('span-late', a.id).send('note', { n: 1 });
  // The same connection, in order: once this is answered, the event has been handled.
  assert.equal(await b.links.channel('span-2', a.id).request('whoami', null), { node: a.id, roomId: 'span-2' });
  assert.equal(offeredOnA, [], 'the late event opened no channel on a');
  assert.is(hanging, 0);
  assert.equal(a.links.states()[b.id], 'open');
});

test('handshakes refused: another secret, the room tokens\' key, another audience, expired, too long-lived, unknown node, replayed, through the front', async (ctx) => {
  const cluster = ctx.cluster!;
  const port = cluster.port(0);
  // A live node of the directory that links to nobody by itself: the bare client speaks for it.
  const raw = await NodeDirectory.start({ redisUrl: cluster.redis.url, url: 'http://127.0.0.1:9', id: 'a-raw', log, heartbeatMs: 250, ttlMs: 1000 });
  try {
    await raw.setDraining(true);
    const key = NodeLinkTokens.deriveKey(cluster.tokenSecret);
    const now = Math.floor(Date.now() / 1000);
    // [what, token, the refusal's code and reason, headers]
    const refusals: Array<[string, string | undefined, string, RegExp, Record<string, string>?]> = [
      ['no token', undefined, 'UNAUTHORIZED', /token is required/],
      ['another secret', await token(NodeLinkTokens.deriveKey('another-secret-0123456789abcdef-0123456789'), { iss: 'a-raw', aud: 'node0' }), 'UNAUTHORIZED', /signature/],
      ['the room tokens\' key (TOKEN_SECRET itself)', await token(new TextEncoder().encode(cluster.tokenSecret), { iss: 'a-raw', aud: 'node0' }), 'UNAUTHORIZED', /signature/],
      ['a room token\'s typ', await token(key, { iss: 'a-raw', aud: 'node0' }, 'JWT'), 'UNAUTHORIZED', /typ/],
      ['another audience', await token(key, { iss: 'a-raw', aud: 'node1' }), 'UNAUTHORIZED', /aud/],
      ['expired', await token(key, { iss: 'a-raw', aud: 'node0', iat: now - 120, exp: now - 60 }), 'UNAUTHORIZED', /exp/],
      ['lives an hour', await token(key, { iss: 'a-raw', aud: 'node0', exp: now + 3600 }), 'UNAUTHORIZED', /lives too long/],
      ['a node that is not live', await token(key, { iss: 'a-ghost', aud: 'node0' }), 'UNAUTHORIZED', /not live/],
      ['a node that must be dialed, not dial', await token(key, { iss: 'node1', aud: 'node0' }), 'CONFLICT', /dials/],
      ['through the front', await token(key, { iss: 'a-raw', aud: 'node0' }), 'FORBIDDEN', /front/, { 'x-forwarded-prefix': '/n/node0' }],
    ];
    for (const [what, auth, code, reason, headers] of refusals) {
      const r = await rawConnect(ctx, port, auth, headers);
      assert.ok(r.refused, `${what}: refused`);
      assert.is(r.refused!.code, code, `${what}: ${r.refused!.code} ${r.refused!.message}`);
      assert.match(r.refused!.message, reason, what);
    }
    // The one that passes: the node proves itself with its own token (iss node0, aud a-raw) ...
    const good = await token(key, { iss: 'a-raw', aud: 'node0' });
    const ok = await rawConnect(ctx, port, good);
    assert.ok(ok.hello, `accepted: ${JSON.stringify(ok.refused)}`);
    const hello = ok.hello as { t: string; token: string };
    assert.is(hello.t, 'hello');
    assert.is(await new NodeLinkTokens(cluster.tokenSecret).verify(hello.token, 'a-raw'), 'node0');
    const answer = await rawAsk(ok.socket, frame({ t: 'req', id: 1, room: null, method: 'link.ping', data: {} }), 1);
    assert.is(answer?.t, 'res');
    assert.is((answer?.data as { node: string }).node, 'node0');
    // ... and the same token once more is a replay.
    const replay = await rawConnect(ctx, port, good);
    assert.is(replay.refused?.code, 'UNAUTHORIZED');
    assert.match(replay.refused!.message, /already used/);
  } finally {
    await raw.close();
  }
});

test('malformed frames are refused without harm; an oversized one costs its connection only', async (ctx) => {
  const cluster = ctx.cluster!;
  const raw = await NodeDirectory.start({ redisUrl: cluster.redis.url, url: 'http://127.0.0.1:9', id: 'a-raw2', log, heartbeatMs: 250, ttlMs: 1000 });
  try {
    const key = NodeLinkTokens.deriveKey(cluster.tokenSecret);
    const { socket, hello } = await rawConnect(ctx, cluster.port(1), await token(key, { iss: 'a-raw2', aud: 'node1' }));
    assert.ok(hello);
    // Nothing comes back for frames that are not envelopes; a request whose id can be read is answered BAD_REQUEST.
    socket.emit(NODE_LINK_EVENT, 'a string, not a frame');
    socket.emit(NODE_LINK_EVENT, { t: 'req', id: 1 });
    socket.emit(NODE_LINK_EVENT, Buffer.from('{not json'));
    socket.emit(NODE_LINK_EVENT, frame({ t: 'hello', token: 'again' }));
    socket.emit(NODE_LINK_EVENT, frame({ t: 'evt', room: '../etc', event: 'x', data: 1 }));
    socket.emit(NODE_LINK_EVENT, frame({ t: 'res', id: 123456, data: 'an answer nobody asked for' }));
    socket.emit(NODE_LINK_EVENT, frame({ t: 'close', room: null }));
    socket.emit(NODE_LINK_EVENT, frame([1, 2, 3]));
    socket.emit(NODE_LINK_EVENT, frame({ t: 'req', id: 2, room: 'r1', method: 'bad name!', data: null, extra: true }));
    const badMethod = await rawAsk(socket, frame({ t: 'req', id: 3, room: 'r1', method: 'x y', data: null }), 3);
    assert.is(badMethod?.t, 'err');
    assert.is((badMethod?.error as ErrorPayload).code, 'BAD_REQUEST');
    const badRoom = await rawAsk(socket, frame({ t: 'req', id: 4, room: 'a/b', method: 'x', data: null }), 4);
    assert.is((badRoom?.error as ErrorPayload).code, 'BAD_REQUEST');
    const noRoom = await rawAsk(socket, frame({ t: 'req', id: 5, room: 'r1', method: 'media.open', data: null }), 5);
    assert.is((noRoom?.error as ErrorPayload).code, 'NOT_FOUND', 'a room this node serves nothing of');
    // The link still answers on the same connection.
    const alive = await rawAsk(socket, frame({ t: 'req', id: 6, room: null, method: 'link.ping', data: {} }), 6);
    assert.is((alive?.data as { node: string }).node, 'node1');
    // Over 1 MiB: engine.io closes that connection (ws 1009); the node goes on.
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    socket.emit(NODE_LINK_EVENT, Buffer.alloc(1024 * 1024 + 4096, 0x20));
    assert.ok(await Promise.race([closed, sleep(5_000).then(() => undefined)]), 'the oversized frame closed its connection');
    assert.is((await fetch(`${cluster.url(1)}/healthz`)).status, 200);
    const r = await ping(cluster, 0, 'node1');
    assert.is(r.status, 200, 'node0 → node1 still answers');
    process.kill(cluster.nodes[1]!.pid, 0); // throws if the process is gone
    assert.not.match(cluster.nodes[1]!.output, /uncaught|FATAL/i);
  } finally {
    await raw.close();
  }
});

test('a SIGKILLed node: pending requests reject at once with UNAVAILABLE, new ones fail fast, its channels close; started again, it answers again', async (ctx) => {
  const cluster = ctx.cluster!;
  const a = await testNode(ctx, 'a-link-3');
  assert.is((await a.links.ping('node1')).node, 'node1');
  const channel = a.links.channel('room-k', 'node1');
  let channelClosed = 0;
  channel.onClose(() => channelClosed++);
  // Stopped (SIGSTOP): it answers nothing; a request times out (1 s here, 5 s by default).
  const node1 = cluster.nodes[1]!;
  process.kill(node1.pid, 'SIGSTOP');
  const t0 = Date.now();
  const timedOut = await rejection(a.links.ping('node1'));
  const timeoutMs = Date.now() - t0;
  assert.is(timedOut.code, 'UNAVAILABLE');
  assert.ok(timeoutMs >= 950 && timeoutMs < 1_500, `timed out after ${timeoutMs} ms`);
  // Pending when the node is killed: rejected as its connection closes, not at the timeout.
  const pending = [a.links.ping('node1'), channel.request('media.whatever', {})].map((p) => rejection(p).then((e) => ({ e, at: Date.now() })));
  await sleep(200);
  const killedAt = Date.now();
  await cluster.kill(1);
  const settled = await Promise.all(pending);
  const pendingMs = Math.max(...settled.map((s) => s.at - killedAt));
  for (const { e } of settled) assert.is(e.code, 'UNAVAILABLE');
  assert.ok(pendingMs < 500, `pending requests rejected ${pendingMs} ms after the kill`);
  assert.is(channelClosed, 1, 'the channel closed');
  // New requests until the directory sees it dead: at once.
  const t1 = Date.now();
  assert.is((await rejection(a.links.ping('node1'))).code, 'UNAVAILABLE');
  assert.is((await rejection(a.links.channel('room-k', 'node1').request('x', {}))).code, 'UNAVAILABLE');
  const newMs = Date.now() - t1;
  assert.ok(newMs < 100, `new requests failed in ${newMs} ms`);
  // The directory reports it down (heartbeat expired): its link is gone; asking still fails fast.
  await waitFor('node1 seen down', () => a.links.states().node1 === undefined, 10_000, 50);
  const downAt = Date.now() - killedAt;
  const t2 = Date.now();
  assert.is((await rejection(a.links.channel('room-k', 'node1').request('x', {}))).code, 'UNAVAILABLE');
  const afterDownMs = Date.now() - t2;
  assert.ok(afterDownMs < 200, `after nodeDown: failed in ${afterDownMs} ms`);
  assert.is((await ping(cluster, 0, 'node1')).status, 404, 'node0 no longer lists it');
  // Started again on its port: reachable again, from the test node and from node0.
  await cluster.startNode(1);
  const back = await waitFor('node1 reachable again', async () => (await a.links.ping('node1').catch(() => undefined))?.node, 15_000, 200);
  assert.is(back, 'node1');
  const fromNode0 = await waitFor('node0 → node1 again', async () => ((await ping(cluster, 0, 'node1')).status === 200 ? true : undefined), 15_000, 200);
  assert.ok(fromNode0);
  process.stdout.write(`  request timeout ${timeoutMs} ms; pending rejected ${pendingMs} ms after SIGKILL; new requests ${newMs} ms; seen down ${downAt} ms after the kill, then ${afterDownMs} ms\n`);
});

exitAfterRun(test);
