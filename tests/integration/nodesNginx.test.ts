import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { io } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ClusterNodes, ErrorPayload, ParticipantList } from '@nomades/shared';
import { Cluster } from '../helpers/Cluster.js';
import { Client as BoardClient } from '../helpers/CollabTestClient.js';
import type { Daemon } from '../helpers/Daemon.js';
import { freePort } from '../helpers/MainProcess.js';
import { Nginx } from '../helpers/Nginx.js';
import { request } from '../helpers/signalingClient.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { waitFor } from '../helpers/waitFor.js';
import { runNomades, type CliRun } from '../helpers/runNomades.js';

/**
 * Several nodes behind the repo's nginx recipe (docs/operations/nginx-nodes.conf, run as written,
 * plain HTTP on 127.0.0.4): two `npm start` nodes whose NODE_URL is `<front>/n/node<i>`, and
 * everything asked of the front only. The page and /api/ from any node; the socket.io handshake
 * sent to the wrong node (or to the shared entry) answered WRONG_NODE with the room's address
 * through the front, where the join and the board succeed; the participants API answered by the
 * room's node whichever node nginx picks; `nomades nodes` through the front; one node SIGKILLed,
 * the front still answers. One cluster for the file (the CLI's `nodes` is tested here too).
 */
const RECIPE = path.resolve(import.meta.dirname, '../../docs/operations/nginx-nodes.conf');
const FRONT_IP = '127.0.0.4';

interface Ctx {
  setupError?: unknown;
  front: string;
  cluster?: Cluster;
  nginx?: Daemon;
  cert?: TestCert;
  sockets: Socket[];
  boards: BoardClient[];
}
const s = suite<Ctx>('several nodes behind nginx', { front: '', sockets: [], boards: [] });

s.before(async (ctx) => {
  try {
    const port = await freePort();
    ctx.front = `http://${FRONT_IP}:${port}`;
    ctx.cert = makeTestCert([FRONT_IP]); // the recipe names its certificate; this listen is plain HTTP
    // Short heartbeats: the killed node leaves the directory in ~1 s.
    ctx.cluster = await Cluster.start(2, { PUBLIC_URL: ctx.front, NODE_HEARTBEAT_MS: '250', NODE_TTL_MS: '1000' }, (i) => ({ NODE_URL: `${ctx.front}/n/node${i}` }));
    ctx.nginx = await Nginx.start(RECIPE, {
      LISTEN: `${FRONT_IP}:${port}`,
      SERVER_NAME: FRONT_IP,
      CERT: ctx.cert.certFile,
      KEY: ctx.cert.keyFile,
      NODE_A: `127.0.0.1:${ctx.cluster.port(0)}`,
      NODE_A_NAME: 'node0',
      NODE_B: `127.0.0.1:${ctx.cluster.port(1)}`,
      NODE_B_NAME: 'node1',
    }, { host: FRONT_IP, port });
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] "several nodes behind nginx" before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
s.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
s.after(async (ctx) => {
  for (const socket of ctx.sockets) socket.close();
  for (const board of ctx.boards) board.destroy();
  await ctx.nginx?.close().catch(() => undefined);
  await ctx.cluster?.close();
  ctx.cert?.remove();
});

const admin = (ctx: Ctx, method: string, pathname: string, body?: unknown): Promise<Response> =>
  fetch(`${ctx.front}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${ctx.cluster!.adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** socket.io through the front, under `prefix` ('' = the shared entry); resolves connected or with the refusal. */
function handshake(ctx: Ctx, prefix: string, auth: { token: string; roomId: string }): Promise<{ socket: Socket } | { refused: ErrorPayload }> {
  return new Promise((resolve, reject) => {
    const socket = io(ctx.front, { path: `${prefix}/socket.io`, auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5_000 });
    ctx.sockets.push(socket);
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err: Error & { data?: ErrorPayload }) => {
      socket.close();
      if (err.data) resolve({ refused: err.data });
      else reject(err);
    });
  });
}

function nomades(ctx: Ctx, args: string[]): Promise<CliRun> {
  const root = ctx.cluster!.root;
  return runNomades(['--url', ctx.front, ...args], { HOME: root, XDG_CONFIG_HOME: root, ADMIN_KEY: ctx.cluster!.adminKey });
}

const nodeLogs = (ctx: Ctx) => ctx.cluster!.nodes.map((n, i) => `--- node${i} ---\n${n?.output.slice(-2000) ?? '(stopped)'}`).join('\n');

s('SPAN-2: the nodes link at their own address (their NODE_URL goes through the front); the front refuses the node link', async (ctx) => {
  const cluster = ctx.cluster!;
  // The nodes publish their listen address for the link, not their NODE_URL (which has a path).
  const listed = (await (await admin(ctx, 'GET', '/api/nodes')).json()) as ClusterNodes;
  assert.equal(listed.nodes.map((n) => n.linkUrl), [cluster.url(0), cluster.url(1)]);
  for (const [from, to] of [[0, 1], [1, 0]]) {
    const answer = await waitFor(`node${from} → node${to} over the link`, async () => {
      const res = await fetch(`${cluster.url(from)}/api/nodes/node${to}/ping`, { headers: { authorization: `Bearer ${cluster.adminKey}` } });
      return res.status === 200 ? ((await res.json()) as { node: string }) : undefined;
    }, 10_000, 100);
    assert.is(answer.node, `node${to}`);
  }
  for (const pathname of ['/node-link/?EIO=4&transport=websocket', '/n/node0/node-link/?EIO=4&transport=websocket', '/n/node1/node-link', '/node-link']) {
    const res = await fetch(`${ctx.front}${pathname}`);
    assert.is(res.status, 404, `${pathname} through the front: ${res.status}`);
  }
  // What the node itself answers there (engine.io, WebSocket only): so nginx's 404 above is the recipe's, not the node's.
  assert.is((await fetch(`${cluster.url(0)}/node-link/?EIO=4&transport=polling`)).status, 400);
  assert.is((await fetch(`${cluster.url(0)}/node-link/?EIO=4&transport=websocket`)).status, 400);
});

s('through the front: page, WRONG_NODE to the room\'s node, join and board there, the participants API, nomades nodes; a node killed, the front still answers', async (ctx) => {
  const cluster = ctx.cluster!;
  const page = await fetch(`${ctx.front}/`);
  assert.is(page.status, 200);
  assert.match(await page.text(), /<html/i);

  const created = await admin(ctx, 'POST', '/api/rooms', { name: 'Derrière nginx' });
  assert.is(created.status, 201, await created.clone().text());
  const { id: roomId } = (await created.json()) as { id: string };
  const minted = await admin(ctx, 'POST', `/api/rooms/${roomId}/tokens`, { name: 'Ada', role: 'host' });
  const { token } = (await minted.json()) as { token: string };
  const roomPage = await fetch(`${ctx.front}/room/${roomId}?token=${encodeURIComponent(token)}`);
  assert.is(roomPage.status, 200, 'the room\'s page through the front');

  // The page's first handshake goes to the shared entry: refused by whichever node nginx picks,
  // the room's own one included (not reached through its prefix); the answer names the room's node.
  const first = await handshake(ctx, '', { token, roomId });
  assert.ok('refused' in first, 'the shared entry never hosts a meeting');
  assert.is(first.refused.code, 'WRONG_NODE');
  const home = String(first.refused.params?.node);
  const host = await cluster.hostOf(roomId);
  assert.is(home, `${ctx.front}/n/node${host}`, 'the room\'s NODE_URL, through the front');
  for (let i = 0; i < 2; i++) {
    const again = await handshake(ctx, '', { token, roomId }); // nginx alternates: both nodes answered
    assert.ok('refused' in again && again.refused.code === 'WRONG_NODE' && again.refused.params?.node === home);
  }

  // Through the other node's prefix: sent to the room's node.
  const other = 1 - host;
  const wrong = await handshake(ctx, `/n/node${other}`, { token, roomId });
  assert.ok('refused' in wrong, `node${other} does not host the room`);
  assert.is(wrong.refused.code, 'WRONG_NODE');
  assert.is(wrong.refused.params?.node, home);

  // Where the answer says (socket.io path from the prefix, as the web client does): in.
  const right = await handshake(ctx, new URL(home).pathname, { token, roomId });
  assert.ok('socket' in right, `connected through ${home}`);
  const joined = await request(right.socket, 'join', {});
  assert.is(joined.displayName, 'Ada');

  // The board: a WebSocket on <home>/collab, admitted by the room's node.
  const board = new BoardClient(home, roomId, token);
  ctx.boards.push(board);
  await waitFor('the board through the front', () => board.authenticated || board.authFailure, 10_000, 20);
  assert.is(board.authFailure, null, `board refused: ${board.authFailure}`);

  // NODE-4: nginx alternates the nodes; the room's node answers every time.
  for (let i = 0; i < 4; i++) {
    const res = await admin(ctx, 'GET', `/api/rooms/${roomId}/participants`);
    assert.is(res.status, 200);
    assert.equal(((await res.json()) as ParticipantList).peers.map((p) => p.displayName), ['Ada'], `participants, call ${i + 1}`);
  }

  // nomades nodes through the front: both nodes, the room on its node.
  const listed = await nomades(ctx, ['--json', 'nodes']);
  assert.is(listed.code, 0, listed.stderr);
  const nodes = JSON.parse(listed.stdout) as ClusterNodes;
  assert.equal(nodes.nodes.map((n) => [n.id, n.url]), [['node0', `${ctx.front}/n/node0`], ['node1', `${ctx.front}/n/node1`]]);
  assert.equal(nodes.nodes[host].rooms, [roomId]);
  const text = await nomades(ctx, ['nodes']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ID\s+URL\s+ROOMS\s+SESSIONS\s+DRAINING$/m);
  assert.match(text.stdout, new RegExp(`^${roomId}\\s+node${host}$`, 'm'));

  // SIGKILL of the room's node, its meeting live: pages, /healthz and /api/ through the front still answer.
  const killedAt = Date.now();
  await cluster.kill(host);
  const answered: number[] = [];
  for (let i = 0; i < 6; i++) {
    for (const pathname of ['/', `/room/${roomId}`, '/healthz']) {
      const res = await fetch(`${ctx.front}${pathname}`);
      assert.is(res.status, 200, `${pathname} after the kill (${i}): ${res.status}\n${nodeLogs(ctx)}`);
    }
    const room = await admin(ctx, 'GET', `/api/rooms/${roomId}`);
    assert.is(room.status, 200, `GET /api/rooms/:id after the kill (${i})`);
    const participants = await admin(ctx, 'GET', `/api/rooms/${roomId}/participants`);
    answered.push(participants.status);
    // Until the survivor sees the room's node dead (NODE_TTL_MS), it forwards the call there
    // through the front: the recipe's JSON 503 (retryable); then it answers from PostgreSQL.
    assert.ok([200, 503].includes(participants.status), `participants after the kill: ${participants.status}`);
    if (participants.status === 503) assert.is(((await participants.json()) as { error: ErrorPayload }).error.code, 'UNAVAILABLE');
  }
  console.log(`[nodesNginx] SIGKILL of node${host}: 24 pages, /healthz and GET /api/rooms/:id through the front all 200 within ${Date.now() - killedAt} ms; participants: ${answered.join(' ')}`);
  const after = await waitFor('the dead node out of nomades nodes', async () => {
    const r = await nomades(ctx, ['--json', 'nodes']);
    const n = r.code === 0 ? (JSON.parse(r.stdout) as ClusterNodes) : undefined;
    return n?.nodes.length === 1 ? n : null;
  }, 10_000, 200);
  assert.is(after.nodes[0].id, `node${other}`);
  const settled = await admin(ctx, 'GET', `/api/rooms/${roomId}/participants`);
  assert.is(settled.status, 200, 'once the node is known dead, answered from PostgreSQL');
  // The room's next handshake places it on the survivor, through its prefix.
  const moved = await handshake(ctx, '', { token, roomId });
  assert.ok('refused' in moved && moved.refused.params?.node === `${ctx.front}/n/node${other}`, JSON.stringify(moved));
});

s.run();
