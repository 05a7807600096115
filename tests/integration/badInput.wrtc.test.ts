import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { connectSocket, rawRequest, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Hostile and broken clients against a running server while a real meeting (two WebRTC bots)
 * goes on in another room: every bad message gets a clear error code, the meeting keeps its
 * media, the server stays up, and nothing of room A is reachable from room B.
 */
interface Ctx {
  srv?: TestServer;
  roomA: string;
  roomB: string;
  bots: WrtcBot[];
  sockets: Socket[];
}
const bad = suite<Ctx>('bad input', { roomA: '', roomB: '', bots: [], sockets: [] });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof RequestError ? error.error.code : `other error: ${String(error)}`;
  }
}

function videoFrames(bots: WrtcBot[]): number {
  return bots.reduce((n, b) => n + [...b.remote.values()].filter((r) => r.kind === 'video').reduce((m, r) => m + r.frames, 0), 0);
}

bad.before(async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.roomA = (await ctx.srv.createRoom({ name: 'A' })).id;
  ctx.roomB = (await ctx.srv.createRoom({ name: 'B' })).id;
  for (const name of ['A1', 'A2']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(ctx.srv.url, ctx.roomA, await ctx.srv.mintToken(ctx.roomA, name));
  }
  await waitFor('meeting A has media', () => ctx.bots.every((b) => [...b.remote.values()].some((r) => r.kind === 'video' && r.frames > 3)), 15_000);
});

bad.after(async (ctx) => {
  for (const s of ctx.sockets) s.close();
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
});

bad('handshake: no token, forged token, wrong room, unknown room, bad room id', async (ctx) => {
  const { url, server } = ctx.srv!;
  assert.is(await refusal(connectSocket(url, { roomId: ctx.roomB })), 'TOKEN_MISSING');
  assert.is(await refusal(connectSocket(url, undefined)), 'BAD_REQUEST');
  const tokenA = await ctx.srv!.mintToken(ctx.roomA, 'Mallory');
  const [h, p, s] = tokenA.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const forged = [h, Buffer.from(JSON.stringify({ ...claims, room: ctx.roomB })).toString('base64url'), s].join('.');
  assert.is(await refusal(connectSocket(url, { token: forged, roomId: ctx.roomB })), 'TOKEN_INVALID');
  assert.is(await refusal(connectSocket(url, { token: tokenA, roomId: ctx.roomB })), 'TOKEN_WRONG_ROOM');
  const ghost = (await server.tokens.mint({ roomId: 'no-such-room', name: 'X', role: 'participant' })).token;
  assert.is(await refusal(connectSocket(url, { token: ghost, roomId: 'no-such-room' })), 'ROOM_NOT_FOUND');
  assert.is(await refusal(connectSocket(url, { token: tokenA, roomId: '../../etc/passwd' })), 'BAD_REQUEST');
});

bad('malformed messages get error acknowledgements, the socket and the meeting go on', async (ctx) => {
  const { url } = ctx.srv!;
  const socket = await connectSocket(url, { token: await ctx.srv!.mintToken(ctx.roomB, 'Mallory'), roomId: ctx.roomB });
  ctx.sockets.push(socket);
  const framesBefore = videoFrames(ctx.bots);
  const code = async (name: string, data: unknown) => {
    const ack = (await rawRequest(socket, name, data)) as { ok: boolean; error?: { code: string; message: string } };
    assert.is(ack.ok, false, `${name} must be refused`);
    assert.type(ack.error?.message, 'string');
    return ack.error!.code;
  };
  assert.is(await code('createTransport', { direction: 'send' }), 'NOT_JOINED', 'before join');
  assert.is(await code('dance', {}), 'UNKNOWN_REQUEST');
  assert.is(await code('__proto__', {}), 'UNKNOWN_REQUEST');
  assert.is(await code('constructor', {}), 'UNKNOWN_REQUEST');
  assert.is(await code('join', { admin: true }), 'BAD_REQUEST');
  assert.is(await code('join', 'please'), 'BAD_REQUEST');
  assert.is(await code('join', null), 'BAD_REQUEST');
  assert.is(await code('join', 'x'.repeat(200_000)), 'PAYLOAD_TOO_LARGE');
  await request(socket, 'join', {});
  assert.is(await code('join', {}), 'ALREADY_JOINED');
  assert.is(await code('createTransport', { direction: 42 }), 'BAD_REQUEST');
  assert.is(await code('createTransport', { direction: 'send', extra: { deep: [1, 2, 3] } }), 'BAD_REQUEST');
  assert.is(await code('connectTransport', { transportId: 'nope', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'x' }] } }), 'NOT_FOUND');
  const transport = await request(socket, 'createTransport', { direction: 'send' });
  const produce = { transportId: transport.id, kind: 'video', source: 'camera' };
  assert.is(await code('produce', { ...produce, rtpParameters: { codecs: [{ mimeType: 'video/NOPE', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] } }), 'BAD_REQUEST');
  assert.is(await code('produce', { ...produce, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] } }), 'BAD_REQUEST', 'camera must be video');
  assert.is(await code('produce', { ...produce, rtpParameters: { codecs: 'all of them' } }), 'BAD_REQUEST');
  // Another room's producers are invisible: consuming one is NOT_FOUND, as for an unknown id.
  const aProducer = [...ctx.bots[0].remote.values()][0].producerId;
  const recv = await request(socket, 'createTransport', { direction: 'recv' });
  await request(socket, 'setRtpCapabilities', { rtpCapabilities: { codecs: [], headerExtensions: [] } });
  assert.is(await code('consume', { transportId: recv.id, producerId: aProducer }), 'NOT_FOUND');
  // No acknowledgement callback: nothing to answer, the socket stays usable.
  socket.emit('join', {});
  // Still connected and answering.
  assert.ok(socket.connected);
  assert.is(await refusal(request(socket, 'pauseConsumer', { consumerId: 'x' })), 'NOT_FOUND');
  await waitFor('meeting A still receives video', () => videoFrames(ctx.bots) > framesBefore + 10, 10_000);
});

bad('a flood is rate limited, a 2 MB frame closes only that socket', async (ctx) => {
  const { url } = ctx.srv!;
  const flooder = await connectSocket(url, { token: await ctx.srv!.mintToken(ctx.roomB, 'Flood'), roomId: ctx.roomB });
  ctx.sockets.push(flooder);
  const acks = await Promise.all(Array.from({ length: 400 }, () => rawRequest(flooder, 'nonsense', {}, 5000).catch(() => ({ ok: false, error: { code: 'TIMEOUT' } }))));
  const codes = acks.map((a) => (a as { error?: { code: string } }).error?.code);
  assert.ok(codes.includes('RATE_LIMITED'), 'some requests were rate limited');
  assert.ok(codes.every((c) => c === 'RATE_LIMITED' || c === 'UNKNOWN_REQUEST'), `only clear codes: ${[...new Set(codes)]}`);

  const big = await connectSocket(url, { token: await ctx.srv!.mintToken(ctx.roomB, 'Big'), roomId: ctx.roomB });
  ctx.sockets.push(big);
  const closed = new Promise<string>((resolve) => big.once('disconnect', (reason) => resolve(reason)));
  big.emit('join', { blob: 'x'.repeat(2_000_000) }, () => {});
  assert.ok(await Promise.race([closed, sleep(5000).then(() => '')]), 'oversized frame closes the socket');

  const framesBefore = videoFrames(ctx.bots);
  await waitFor('meeting A still receives video', () => videoFrames(ctx.bots) > framesBefore + 10, 10_000);
  const health = await fetch(`${url}/healthz`);
  assert.is(health.status, 200);
});

bad('HTTP API: credentials and bodies are checked', async (ctx) => {
  const { url, adminKey } = ctx.srv!;
  const post = (path: string, body: string, auth?: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body });
  const status = async (res: Promise<Response>) => {
    const r = await res;
    const body = (await r.json()) as { error?: { code: string } };
    return `${r.status} ${body.error?.code ?? 'ok'}`;
  };
  assert.is(await status(post('/api/rooms', '{}')), '401 UNAUTHORIZED');
  assert.is(await status(post('/api/rooms', '{}', 'Bearer wrong-key')), '403 FORBIDDEN');
  const admin = `Bearer ${adminKey}`;
  assert.is(await status(post('/api/rooms', '{"name":', admin)), '400 BAD_REQUEST');
  assert.is(await status(post('/api/rooms', JSON.stringify({ maxParticipants: 'lots' }), admin)), '400 BAD_REQUEST');
  assert.is(await status(post('/api/rooms', JSON.stringify({ name: 'x'.repeat(40_000) }), admin)), '413 PAYLOAD_TOO_LARGE');
  assert.is(await status(post(`/api/rooms/${ctx.roomA}`, '{}', admin)), '404 NOT_FOUND');
  assert.is(await status(post('/api/rooms/nope/tokens', JSON.stringify({ name: 'A' }), admin)), '404 ROOM_NOT_FOUND');
  assert.is(await status(post(`/api/rooms/${ctx.roomA}/tokens`, JSON.stringify({ name: 'A', role: 'emperor' }), admin)), '400 BAD_REQUEST');
  assert.is(await status(post(`/api/rooms/${ctx.roomA}/tokens`, JSON.stringify({ name: 'A' }))), '401 UNAUTHORIZED');
  assert.is(await status(post(`/api/rooms/${ctx.roomA}/guest`, JSON.stringify({ name: '' }))), '400 BAD_REQUEST');
  assert.is(await status(post('/api/rooms/nope/guest', JSON.stringify({ name: 'G' }))), '404 ROOM_NOT_FOUND');
  assert.is(await status(post(`/api/rooms/${ctx.roomA}`, JSON.stringify({ id: ctx.roomA }), admin)), '404 NOT_FOUND');
  assert.is(await status(post('/api/rooms', JSON.stringify({ id: ctx.roomA }), admin)), '409 CONFLICT');
});

exitAfterRun(bad);
