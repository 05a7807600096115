import { SignJWT } from 'jose';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/** Identity and access over the real HTTP API and signaling: guests, tokens, capacity, health. */
const access = suite<{ srv?: TestServer; sockets: Socket[] }>('access', { sockets: [] });

access.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
access.after(async (ctx) => {
  for (const s of ctx.sockets) s.close();
  await ctx.srv?.close();
});

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return e instanceof RequestError ? e.error.code : String(e);
  }
};

access('healthz answers ok once the workers are up', async (ctx) => {
  const res = await fetch(`${ctx.srv!.url}/healthz`);
  assert.is(res.status, 200);
  const body = (await res.json()) as { status: string; workers: number };
  assert.is(body.status, 'ok');
  assert.is(body.workers, 1);
});

access('admin creates a room and mints a token with a join URL', async (ctx) => {
  const { url, adminKey } = ctx.srv!;
  const res = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Weekly team', maxParticipants: 12 }),
  });
  assert.is(res.status, 201);
  const room = (await res.json()) as { id: string; name: string; maxParticipants: number };
  assert.is(room.name, 'Weekly team');
  assert.is(room.maxParticipants, 12);
  const t = await fetch(`${url}/api/rooms/${room.id}/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada', role: 'host' }),
  });
  const minted = (await t.json()) as { token: string; joinUrl: string; expiresAt: string };
  assert.ok(minted.joinUrl.startsWith(`${url}/room/${room.id}?token=`));
  assert.ok(Date.parse(minted.expiresAt) > Date.now());
  const claims = await ctx.srv!.server.tokens.verify(minted.token, room.id);
  assert.is(claims.role, 'host');
});

access('guest access on loopback: a guest token joins the room', async (ctx) => {
  const { url } = ctx.srv!;
  const { id } = await ctx.srv!.createRoom();
  const res = await fetch(`${url}/api/rooms/${id}/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Coffee guest' }) });
  assert.is(res.status, 200);
  const { token } = (await res.json()) as { token: string };
  const claims = await ctx.srv!.server.tokens.verify(token, id);
  assert.is(claims.guest, true);
  assert.is(claims.role, 'participant');
  assert.ok(claims.exp - claims.iat <= 2 * 3600, 'short-lived');
  const socket = await connectSocket(url, { token, roomId: id });
  ctx.sockets.push(socket);
  const joined = await request(socket, 'join', {});
  assert.is(joined.displayName, 'Coffee guest');
  assert.ok(Array.isArray(joined.routerRtpCapabilities.codecs));
});

access('guest access can be turned off', async () => {
  const srv = await startTestServer({ GUEST_ACCESS: 'false' });
  try {
    const { id } = await srv.createRoom();
    const res = await fetch(`${srv.url}/api/rooms/${id}/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'G' }) });
    assert.is(res.status, 403);
    assert.is(((await res.json()) as { error: { code: string } }).error.code, 'GUEST_ACCESS_DISABLED');
  } finally {
    await srv.close();
  }
});

access('an expired token is refused at the handshake', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const secret = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(`${ctx.srv!.dataDir}/secrets.json`, 'utf8'))).tokenSecret;
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ sub: 'u', name: 'Late', room: id, role: 'participant' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('nomades-visio')
    .setIssuedAt(now - 100)
    .setExpirationTime(now - 10)
    .sign(new TextEncoder().encode(secret));
  assert.is(await code(connectSocket(ctx.srv!.url, { token: expired, roomId: id })), 'TOKEN_EXPIRED');
});

access('capacity: the join after maxParticipants gets ROOM_FULL, a leave frees a seat', async (ctx) => {
  const { url } = ctx.srv!;
  const { id } = await ctx.srv!.createRoom({ maxParticipants: 2 });
  const sockets: Socket[] = [];
  for (const name of ['One', 'Two', 'Three']) {
    const s = await connectSocket(url, { token: await ctx.srv!.mintToken(id, name), roomId: id });
    sockets.push(s);
    ctx.sockets.push(s);
  }
  await request(sockets[0], 'join', {});
  await request(sockets[1], 'join', {});
  assert.is(await code(request(sockets[2], 'join', {})), 'ROOM_FULL');
  await request(sockets[0], 'leave', {});
  await waitFor('seat freed', () => ctx.srv!.server.registry.get(id)?.peerCount === 1);
  await request(sockets[2], 'join', {});
});

access('same identity joining twice: the older session is closed (no ghost)', async (ctx) => {
  const { url } = ctx.srv!;
  const { id } = await ctx.srv!.createRoom();
  const token = await ctx.srv!.mintToken(id, 'Twin');
  const first = await connectSocket(url, { token, roomId: id });
  ctx.sockets.push(first);
  await request(first, 'join', {});
  const closing = new Promise<string>((resolve) => first.once('closing', (d: { error: { code: string } }) => resolve(d.error.code)));
  const second = await connectSocket(url, { token, roomId: id });
  ctx.sockets.push(second);
  const joined = await request(second, 'join', {});
  assert.is(await closing, 'ALREADY_JOINED');
  assert.is(joined.peers.length, 0, 'the old session is not listed');
  assert.is(ctx.srv!.server.registry.get(id)?.peerCount, 1);
});

access('peers see each other join and leave', async (ctx) => {
  const { url } = ctx.srv!;
  const { id } = await ctx.srv!.createRoom();
  const a = await connectSocket(url, { token: await ctx.srv!.mintToken(id, 'A'), roomId: id });
  const b = await connectSocket(url, { token: await ctx.srv!.mintToken(id, 'B'), roomId: id });
  ctx.sockets.push(a, b);
  const seen: string[] = [];
  a.on('peerJoined', (d: { peer: { displayName: string } }) => seen.push(`joined ${d.peer.displayName}`));
  a.on('peerLeft', () => seen.push('left'));
  await request(a, 'join', {});
  const bJoin = await request(b, 'join', {});
  assert.is(bJoin.peers.length, 1);
  assert.is(bJoin.peers[0].displayName, 'A');
  b.close();
  await waitFor('A saw B join and leave', () => seen.join(',') === 'joined B,left');
});

access.run();
