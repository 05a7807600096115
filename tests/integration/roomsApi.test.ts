import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoomInfo } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * The rooms API beyond creation (README "HTTP API"): `GET /api/rooms/:id` reads a room,
 * `PATCH /api/rooms/:id` changes it (kept in SQLite, applied to the live room at once), both with
 * the admin key only; `GET /api/collab/config` (no auth) hands the web client its tldraw key.
 */
const rooms = suite<{ srv?: TestServer; peers: SigPeer[] }>('rooms API', { peers: [] });

rooms.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { keepData: true });
});
rooms.after.each((ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.peers = [];
});
rooms.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.srv) fs.rmSync(ctx.srv.dataDir, { recursive: true, force: true });
});

rooms('GET /api/rooms/:id answers the room as created; unknown ids are ROOM_NOT_FOUND', async (ctx) => {
  const srv = ctx.srv!;
  const created = (await admin(srv, 'POST', '/api/rooms', { id: 'council-7', name: 'Council', mode: 'webinar', maxParticipants: 30, record: false, maxScreenShares: 2 })).json as RoomInfo;
  const read = await admin(srv, 'GET', '/api/rooms/council-7');
  assert.is(read.status, 200);
  assert.equal(read.json, created);
  assert.equal(
    { ...read.json, createdAt: undefined },
    {
      id: 'council-7',
      name: 'Council',
      mode: 'webinar',
      maxParticipants: 30,
      record: false,
      maxScreenShares: 2,
      recordingViewers: ['host'],
      participantsMayInvite: false,
      createdAt: undefined,
    },
  );
  assert.ok(!Number.isNaN(Date.parse(read.json.createdAt)), `createdAt is a date: ${read.json.createdAt}`);
  // Defaults of a bare room, as read back.
  const bare = await srv.createRoom();
  const defaults = (await admin(srv, 'GET', `/api/rooms/${bare.id}`)).json as RoomInfo;
  assert.equal([defaults.mode, defaults.maxParticipants, defaults.record, defaults.maxScreenShares], ['meeting', 50, false, 1]);

  const missing = await admin(srv, 'GET', '/api/rooms/no-such-room');
  assert.equal([missing.status, missing.code], [404, 'ROOM_NOT_FOUND']);
  assert.is((await admin(srv, 'GET', `/api/rooms/${'x'.repeat(65)}`)).code, 'ROOM_NOT_FOUND', 'an id too long to be a room');
  assert.equal([...(await admin(srv, 'GET', '/api/rooms')).json.rooms.map((r: RoomInfo) => r.id)].sort(), [bare.id, 'council-7'].sort());
});

rooms('PATCH /api/rooms/:id changes name, capacity, record flag and screen shares; the rest stays; it survives a restart', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Before', mode: 'coffee' });
  const before = (await admin(srv, 'GET', `/api/rooms/${id}`)).json as RoomInfo;
  const patched = await admin(srv, 'PATCH', `/api/rooms/${id}`, { name: 'After', maxParticipants: 12, record: true, maxScreenShares: 3 });
  assert.is(patched.status, 200);
  const expected = { ...before, name: 'After', maxParticipants: 12, record: true, maxScreenShares: 3 };
  assert.equal(patched.json, expected, 'the answer is the whole updated room');
  assert.equal((await admin(srv, 'GET', `/api/rooms/${id}`)).json, expected);
  // A partial patch changes only what it names.
  assert.equal((await admin(srv, 'PATCH', `/api/rooms/${id}`, { record: false })).json, { ...expected, record: false });
  assert.equal((await admin(srv, 'PATCH', `/api/rooms/${id}`, {})).json, { ...expected, record: false }, 'an empty patch changes nothing');

  // Kept in the database: a server restarted on the same DATA_DIR reads the patched room.
  await srv.close();
  ctx.srv = await startTestServer({}, { dataDir: srv.dataDir });
  assert.equal((await admin(ctx.srv, 'GET', `/api/rooms/${id}`)).json, { ...expected, record: false });
});

rooms('PATCH refuses what it may not change or cannot be: exact codes, nothing changed', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Strict' });
  const before = (await admin(srv, 'GET', `/api/rooms/${id}`)).json as RoomInfo;
  const bad: unknown[] = [
    { mode: 'webinar' }, // the mode is fixed at creation
    { id: 'another' },
    { maxParticipants: 1 },
    { maxParticipants: 201 },
    { maxParticipants: 2.5 },
    { maxScreenShares: 0 },
    { maxScreenShares: 11 },
    { name: '' },
    { name: 'x'.repeat(121) },
    { record: 'yes' },
    [],
  ];
  for (const body of bad) {
    const res = await admin(srv, 'PATCH', `/api/rooms/${id}`, body);
    assert.equal([res.status, res.code], [400, 'BAD_REQUEST'], `PATCH ${JSON.stringify(body)}`);
  }
  const notJson = await fetch(`${srv.url}/api/rooms/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
    body: '{"name":',
  });
  assert.is(notJson.status, 400);
  assert.is(((await notJson.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
  const missing = await admin(srv, 'PATCH', '/api/rooms/no-such-room', { name: 'x' });
  assert.equal([missing.status, missing.code], [404, 'ROOM_NOT_FOUND']);
  assert.equal((await admin(srv, 'GET', `/api/rooms/${id}`)).json, before, 'no refused patch changed the room');
});

rooms('GET and PATCH /api/rooms/:id need the admin key: 401 without, 403 with a wrong key or a room token', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Guarded' });
  const hostToken = await srv.mintToken(id, 'Host', 'host');
  const body = JSON.stringify({ name: 'Hijacked' });
  for (const method of ['GET', 'PATCH']) {
    const call = (headers: Record<string, string>) =>
      fetch(`${srv.url}/api/rooms/${id}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'PATCH' ? body : undefined });
    const codes = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    assert.equal(await codes(await call({})), [401, 'UNAUTHORIZED'], `${method} without credentials`);
    assert.equal(await codes(await call({ authorization: `Bearer ${'k'.repeat(32)}` })), [403, 'FORBIDDEN'], `${method} with a wrong key`);
    assert.equal(await codes(await call({ authorization: `Bearer ${hostToken}` })), [403, 'FORBIDDEN'], `${method} with a host's room token`);
  }
  assert.is((await admin(srv, 'GET', `/api/rooms/${id}`)).json.name, 'Guarded');
});

rooms('PATCH applies to a live room at once: a lower capacity refuses the next join (ROOM_FULL), a higher one lets it in', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Live', maxParticipants: 3 });
  ctx.peers.push(await SigPeer.join(srv, id, 'One'), await SigPeer.join(srv, id, 'Two'));
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { maxParticipants: 2 })).status, 200);
  const third = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Three'), roomId: id });
  try {
    assert.is(await outcome(request(third, 'join', {})), 'ROOM_FULL');
    assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { maxParticipants: 3 })).status, 200);
    assert.is(await outcome(request(third, 'join', {})), 'accepted');
    assert.is(srv.server.registry.get(id)?.peerCount, 3);
  } finally {
    third.close();
  }
});

rooms('GET /api/collab/config needs no key and answers { tldrawLicenseKey: null } without TLDRAW_LICENSE_KEY', async (ctx) => {
  const res = await fetch(`${ctx.srv!.url}/api/collab/config`);
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'no-cache');
  assert.equal(await res.json(), { tldrawLicenseKey: null });
});

rooms('GET /api/collab/config hands out TLDRAW_LICENSE_KEY when it is set', async () => {
  // The collab settings are read from the process environment (server/src/collab/collabConfig.ts).
  const saved = process.env.TLDRAW_LICENSE_KEY;
  process.env.TLDRAW_LICENSE_KEY = 'tldraw-test-license-key-0123456789';
  const srv = await startTestServer();
  try {
    const res = await fetch(`${srv.url}/api/collab/config`);
    assert.is(res.status, 200);
    assert.equal(await res.json(), { tldrawLicenseKey: 'tldraw-test-license-key-0123456789' });
  } finally {
    if (saved === undefined) delete process.env.TLDRAW_LICENSE_KEY;
    else process.env.TLDRAW_LICENSE_KEY = saved;
    await srv.close();
  }
});

exitAfterRun(rooms);
