import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { rawExchange, upgradeRequest } from '../helpers/rawHttp.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * The HTTP listener survives any bytes (SEC-1, SEC-2 in docs/security.md), checked over raw TCP
 * against a real server in this process: an exception escaping a listener would end this process,
 * and the suite with it. After each case the server must still answer /healthz and a join.
 */
const listener = suite<{ srv?: TestServer; port: number }>('http listener', { port: 0 });

listener.before(async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.port = Number(new URL(ctx.srv.url).port);
});
listener.after(async (ctx) => {
  await ctx.srv?.close();
});

async function stillServing(ctx: { srv?: TestServer }): Promise<void> {
  const res = await fetch(`${ctx.srv!.url}/healthz`);
  assert.is(res.status, 200, '/healthz still answers');
  const { id } = await ctx.srv!.createRoom();
  const socket = await connectSocket(ctx.srv!.url, { token: await ctx.srv!.mintToken(id, 'Ada'), roomId: id });
  try {
    const joined = await request(socket, 'join', {});
    assert.is(joined.displayName, 'Ada', 'a join still works');
  } finally {
    socket.close();
  }
}

listener('SEC-1: upgrade requests whose target cannot be parsed are answered 400 and closed', async (ctx) => {
  for (const target of ['http://[', 'http://a:b@[::1', '\\\\', 'http://x:99999/', 'http://', '*']) {
    const r = await rawExchange(ctx.port, upgradeRequest(target));
    assert.ok(r.closed, `${target}: connection closed`);
    assert.is(r.status, 400, `${target}: answered 400 (got ${JSON.stringify(r.response.slice(0, 40))})`);
  }
  await stillServing(ctx);
});

listener('SEC-1: an upgrade to a path nobody serves is answered 404 and closed', async (ctx) => {
  for (const target of ['/nope', '//', '/collab/', '/collabx', '/socket.io', '/api/rooms', '/healthz?x=1']) {
    const r = await rawExchange(ctx.port, upgradeRequest(target));
    assert.ok(r.closed, `${target}: connection closed`);
    assert.is(r.status, 404, `${target}: answered 404`);
  }
  await stillServing(ctx);
});

listener('SEC-1: clients that reset upgrade sockets (RST) do not raise unhandled errors', async (ctx) => {
  const targets = ['/nope', '/collab', '/socket.io/?EIO=4&transport=websocket', 'http://['];
  for (let i = 0; i < 5; i++) {
    for (const target of targets) await rawExchange(ctx.port, upgradeRequest(target), { reset: true });
    // Half a request, then a reset in the middle of the headers.
    for (const target of targets) await rawExchange(ctx.port, upgradeRequest(target).slice(0, 40), { reset: true });
  }
  await stillServing(ctx);
});

listener('SEC-2: garbage, oversized headers and broken requests get their status and a close', async (ctx) => {
  // Bytes that are not HTTP (REACH-1: neither TLS, configured here, nor ICE-TCP or TURN) are closed unanswered.
  const cases: Array<[string, string | Buffer, number | null]> = [
    ['binary garbage like a TLS record (no TLS configured)', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), null],
    ['binary zeros', Buffer.alloc(32), null],
    ['lower-case junk', 'hello there\r\n\r\n', null],
    ['bad method line', 'HELLO\r\n\r\n', 400],
    ['bad header', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
    ['huge header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
    ['bad chunked body', 'POST /api/rooms/x/guest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
  ];
  for (const [what, bytes, status] of cases) {
    const r = await rawExchange(ctx.port, bytes);
    assert.ok(r.closed, `${what}: connection closed`);
    assert.is(r.status, status, `${what}: answered ${status ?? 'nothing'} (got ${r.status})`);
  }
  // An absolute-form target that does not parse, on a plain request: answered, not thrown.
  const r = await rawExchange(ctx.port, 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok(r.status !== null && r.status >= 400 && r.status < 500, `absolute-form garbage answered 4xx (got ${r.status})`);
  await stillServing(ctx);
});

listener('SEC-2: a request whose headers never end is answered 408 and closed', async (ctx) => {
  const r = await rawExchange(ctx.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', { waitMs: 20_000 });
  assert.ok(r.closed, 'the half-open request was closed by the server');
  assert.is(r.status, 408);
  const half = await rawExchange(ctx.port, 'GET /collab HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n', { waitMs: 20_000 });
  assert.ok(half.closed, 'the half-open upgrade was closed by the server');
  await stillServing(ctx);
});

listener.run();
