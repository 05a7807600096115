import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { Postgres } from '../helpers/Postgres.js';
import { request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Issue #21: the server on PostgreSQL (DATABASE_URL), end to end, with a real cluster: a room is
 * created, joined (signaling), its board and chat written (Hocuspocus), a participant removed
 * and the room locked, an invitation made. A second server, on a fresh DATA_DIR but the same
 * database (as another node would be), finds all of it; nothing is written to DATA_DIR's SQLite.
 * Then the room is deleted, with every row its id keys.
 */
type Ctx = { pg?: Postgres; servers: TestServer[]; clients: Client[]; peers: SigPeer[] };
const test = suite<Ctx>('server on PostgreSQL', { servers: [], clients: [], peers: [] });
const ENV = { ADMIN_KEY: 'admin-key-for-postgres-tests-0123', TOKEN_SECRET: 't'.repeat(48) };

test.before(async (ctx) => {
  ctx.pg = await Postgres.start();
});
test.after(async (ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const p of ctx.peers) p.close();
  for (const s of ctx.servers) await s.close().catch(() => undefined);
  ctx.pg?.close();
});

test('a room on PostgreSQL: joined, written, moderated, invited; another server on the same database finds it all; deleted whole', async (ctx) => {
  const url = await ctx.pg!.database();
  const first = await startTestServer({ ...ENV, DATABASE_URL: url });
  ctx.servers.push(first);
  assert.is(first.server.database.engine, 'postgres');
  const { id } = await first.createRoom({ id: 'pg-room', name: 'On PostgreSQL' });
  assert.is((await admin(first, 'POST', '/api/rooms', { id, name: 'again' })).code, 'CONFLICT');

  // The meeting: two join; the host removes Mallory and locks the room.
  const malloryToken = async (srv: TestServer) => (await admin(srv, 'POST', `/api/rooms/${id}/tokens`, { name: 'Mallory', identity: 'mallory' })).json.token as string;
  const host = await SigPeer.join(first, id, 'Host', 'host');
  const mallory = await SigPeer.connect(first, id, await malloryToken(first));
  ctx.peers.push(host, mallory);
  mallory.peerId = (await request(mallory.socket, 'join', {})).peerId;
  assert.is((await admin(first, 'DELETE', `/api/rooms/${id}/participants/${mallory.peerId}`)).status, 204);
  assert.is((await admin(first, 'POST', `/api/rooms/${id}/lock`, { locked: true })).status, 204);

  // Board and chat: acknowledged once written.
  const ada = new Client(first.url, id, await first.mintToken(id, 'Ada', 'host'));
  ctx.clients.push(ada);
  await ada.synced();
  ada.board.set('shape:pg', shape('shape:pg'));
  assert.is((await ada.say('stored in PostgreSQL')).type, 'chat.accepted');
  await waitFor('the board update is acknowledged', () => !ada.provider.hasUnsyncedChanges, 5_000, 20);

  const invite = await admin(first, 'POST', `/api/rooms/${id}/invites`, { maxUses: 1 });
  assert.is(invite.status, 201, JSON.stringify(invite.json));
  await first.server.registry.controls(id).flushed();

  // Another node: a fresh DATA_DIR, the same database.
  const second = await startTestServer({ ...ENV, DATABASE_URL: url });
  ctx.servers.push(second);
  assert.is((await admin(second, 'GET', `/api/rooms/${id}`)).json.name, 'On PostgreSQL');
  const chat = await admin(second, 'GET', `/api/rooms/${id}/chat`);
  assert.equal((chat.json.messages as Array<{ text: string }>).map((m) => m.text), ['stored in PostgreSQL']);
  const board = await admin(second, 'GET', `/api/rooms/${id}/board`);
  assert.ok(board.json.store['shape:pg'], 'the board shape');
  assert.is((await admin(second, 'GET', `/api/rooms/${id}/participants`)).json.controls.locked, true, 'the lock');
  const again = await SigPeer.connect(second, id, await malloryToken(second));
  ctx.peers.push(again);
  assert.is(await outcome(request(again.socket, 'join', {})), 'REMOVED', 'the ban');
  const other = await SigPeer.connect(second, id, await second.mintToken(id, 'Someone'));
  ctx.peers.push(other);
  assert.is(await outcome(request(other.socket, 'join', {})), 'ROOM_LOCKED', 'the lock');
  const invites = await admin(second, 'GET', `/api/rooms/${id}/invites`);
  assert.is(invites.json.invites.length, 1, 'the invitation');
  for (const server of [first, second]) {
    assert.not.ok(fs.existsSync(path.join(server.dataDir, 'nomades.db')), 'no SQLite database in DATA_DIR');
  }

  // ROOM-7: deleted, everything its id keys with it.
  for (const c of ctx.clients.splice(0)) c.destroy();
  for (const p of ctx.peers.splice(0)) p.close();
  await waitFor('nobody in the room', () => first.server.registry.occupants(id) === 0 && second.server.registry.occupants(id) === 0, 10_000);
  assert.is((await admin(second, 'DELETE', `/api/rooms/${id}`)).status, 204);
  assert.is((await admin(first, 'GET', `/api/rooms/${id}`)).code, 'ROOM_NOT_FOUND');
  const rows = second.server.database;
  assert.equal(await rows.invites.listByRoom(id), []);
  assert.equal((await rows.moderation.load(id)).bannedIdentities, []);
  assert.equal(await rows.documents.read(`rooms/${id}`), { updates: [] });
});

exitAfterRun(test);
