import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { COLLAB_CLOSE_CODES, COLLAB_LIMITS } from '@nomades/shared';
import { Client, shape, syncFrame } from '../helpers/CollabTestClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * COL-15: the work one /collab connection can make the server do is bounded: sync requests (each
 * answered with up to the whole document) per connection, bytes queued per socket (slow
 * consumers are closed), connections per identity and per room. Real server, real provider,
 * raw frames where a provider would not misbehave.
 */
interface Ctx {
  srv?: TestServer;
  clients: Client[];
  sockets: WebSocket[];
}
const limits = suite<Ctx>('collab limits', { clients: [], sockets: [] });

limits.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
limits.after.each((ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const s of ctx.sockets) s.terminate();
  ctx.clients = [];
  ctx.sockets = [];
});
limits.after(async (ctx) => {
  await ctx.srv?.close();
});

async function client(ctx: Ctx, roomId: string, token: string): Promise<Client> {
  const c = new Client(ctx.srv!.url, roomId, token);
  ctx.clients.push(c);
  await c.synced();
  return c;
}

async function tokenFor(srv: TestServer, roomId: string, body: Record<string, string>): Promise<string> {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${srv.adminKey}` },
    body: JSON.stringify(body),
  });
  assert.is(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

/** Board entries of `bytes` characters each until the document holds about `total` bytes. */
async function fill(writer: Client, total: number, bytes = 900 * 1024): Promise<void> {
  for (let i = 0; i * bytes < total; i++) {
    writer.board.set(`shape:big${i}`, { ...shape(`shape:big${i}`), props: { text: String(i % 10).repeat(bytes) } });
    await waitFor(`big entry ${i} acknowledged`, () => !writer.provider.hasUnsyncedChanges, 10_000, 10);
  }
}

const stepOne = (documentName: string): Uint8Array => syncFrame(documentName, 0, Y.encodeStateVector(new Y.Doc()));

limits('COL-15: a flood of sync requests closes the connection (RATE_LIMITED), read-only ones too; the server keeps answering', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const writer = await client(ctx, id, await srv.mintToken(id, 'Writer'));
  await fill(writer, 400 * 1024, 100 * 1024);
  for (const role of ['participant', 'attendee']) {
    const flooder = await client(ctx, id, await srv.mintToken(id, `Flooder ${role}`, role));
    for (let i = 0; i < COLLAB_LIMITS.syncRequestBurst + 10; i++) flooder.sendRaw(stepOne(`rooms/${id}`));
    const closed = await flooder.closedWith(COLLAB_CLOSE_CODES.RATE_LIMITED);
    assert.match(closed.reason, /^RATE_LIMITED: too many sync requests/, role);
    flooder.destroy();
  }
  const health = await fetch(`${srv.url}/healthz`);
  assert.is(health.status, 200);
  const late = await client(ctx, id, await srv.mintToken(id, 'Late'));
  await waitFor('the late client has the board', () => late.board.map.size === 4, 5_000, 10);
  assert.is((await late.say('the server is fine')).type, 'chat.accepted');
  assert.is(writer.closes.length, 0, 'a provider\'s own sync requests stay within the limit');
});

limits('COL-15: connections per identity are capped; a closed one frees its place', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await tokenFor(srv, id, { name: 'Many tabs', identity: 'same-person' });
  const tabs: Client[] = [];
  for (let i = 0; i < COLLAB_LIMITS.maxConnectionsPerIdentity; i++) {
    const tab = await client(ctx, id, token);
    assert.is(tab.authFailure, null, `tab ${i}`);
    tabs.push(tab);
  }
  const extra = await client(ctx, id, token);
  assert.match(extra.authFailure ?? '', /^RATE_LIMITED: at most 4 board connections per person/);
  assert.is(extra.chat.length, 0);
  const other = await client(ctx, id, await srv.mintToken(id, 'Someone else'));
  assert.is(other.authFailure, null, 'another identity still gets in');

  const open = srv.server.collab.connectionCount;
  tabs[0].destroy();
  await waitFor('the server saw the tab close', () => srv.server.collab.connectionCount === open - 1, 5_000, 10);
  const again = await client(ctx, id, token);
  assert.is(again.authFailure, null, 'a freed place can be taken again');
});

limits('COL-15: a socket that does not read what it is sent is closed as a slow consumer (4509)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const writer = await client(ctx, id, await srv.mintToken(id, 'Writer'));
  await fill(writer, 13 * 1024 * 1024);

  // A raw socket: authenticate, stop reading, ask for the whole document as often as allowed.
  const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/collab`);
  ctx.sockets.push(ws);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const auth = encoding.createEncoder();
  encoding.writeVarString(auth, `rooms/${id}`);
  encoding.writeVarUint(auth, 2); // Auth
  encoding.writeVarUint(auth, 0); // Token
  encoding.writeVarString(auth, await srv.mintToken(id, 'Sink'));
  ws.send(encoding.toUint8Array(auth));
  const tcp = (ws as unknown as { _socket: import('node:net').Socket })._socket;
  tcp.pause();
  const before = srv.server.collab.slowConsumersClosed;
  for (let i = 0; i < COLLAB_LIMITS.syncRequestBurst; i++) ws.send(stepOne(`rooms/${id}`));
  await waitFor('the server gave up on the sink', () => srv.server.collab.slowConsumersClosed > before, 20_000, 10);
  tcp.resume();
  assert.is(await closed, COLLAB_CLOSE_CODES.SLOW_CONSUMER);
  assert.is((await fetch(`${srv.url}/healthz`)).status, 200);
  assert.is((await writer.say('still fine')).type, 'chat.accepted');
  assert.is(writer.closes.length, 0);
});

limits.run();
