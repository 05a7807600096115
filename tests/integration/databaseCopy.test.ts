import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { Postgres } from '../helpers/Postgres.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { runNomades, type CliRun } from '../helpers/runNomades.js';

/**
 * Issue #21: `nomades database copy` moves a one-node SQLite DATA_DIR into an empty PostgreSQL
 * (DATABASE_URL): rooms, moderation, invitations, recordings' metadata, board and chat. Verified
 * (counts per table, a checksum of the documents); running it again changes nothing; a server on
 * the PostgreSQL then serves what the one-node server had; a target holding other rows is not
 * verified (exit 2). Real parts: a server on SQLite, the CLI as its own process, a PostgreSQL.
 */
type Ctx = { pg?: Postgres; servers: TestServer[]; dirs: string[]; clients: Client[] };
const test = suite<Ctx>('database copy', { servers: [], dirs: [], clients: [] });
const ENV = { ADMIN_KEY: 'admin-key-for-copy-tests-012345', TOKEN_SECRET: 's'.repeat(48) };

test.before(async (ctx) => {
  ctx.pg = await Postgres.start();
});
test.after(async (ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const s of ctx.servers) await s.close().catch(() => undefined);
  for (const d of ctx.dirs) fs.rmSync(d, { recursive: true, force: true });
  ctx.pg?.close();
});

const copy = (dataDir: string, url: string, json = true): Promise<CliRun> =>
  runNomades([...(json ? ['--json'] : []), 'database', 'copy', '--data-dir', dataDir], { HOME: os.tmpdir(), DATABASE_URL: url });

test('a one-node DATA_DIR copied into PostgreSQL, verified, idempotent, served from there', async (ctx) => {
  // The one-node server, on SQLite: a room with board and chat, a ban and a lock, an invitation, a recording's row.
  const one = await startTestServer(ENV, { keepData: true });
  ctx.servers.push(one);
  ctx.dirs.push(one.dataDir);
  const { id } = await one.createRoom({ id: 'moved-room', name: 'Moved' });
  await one.createRoom({ id: 'second-room' });
  const ada = new Client(one.url, id, await one.mintToken(id, 'Ada', 'host'));
  ctx.clients.push(ada);
  await ada.synced();
  ada.board.set('shape:moved', shape('shape:moved'));
  assert.is((await ada.say('before the move')).type, 'chat.accepted');
  assert.is((await admin(one, 'POST', `/api/rooms/${id}/lock`, { locked: true })).status, 204);
  await one.server.moderation.addBan(id, 'identity', 'mallory');
  assert.is((await admin(one, 'POST', `/api/rooms/${id}/invites`, {})).status, 201);
  await one.server.recording.store.create('rec_moved000001', id, new Date().toISOString());
  await waitFor('the board acknowledged', () => !ada.provider.hasUnsyncedChanges, 5_000, 20);
  ada.destroy();
  await one.close();

  const url = await ctx.pg!.database();
  const first = await copy(one.dataDir, url);
  assert.is(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout) as { tables: Array<{ table: string; source: number; target: number }>; documents: { source: string; target: string }; verified: boolean };
  assert.ok(report.verified);
  const counts = Object.fromEntries(report.tables.map((t) => [t.table, t.target]));
  assert.equal([counts.rooms, counts.room_flags, counts.bans, counts.invites, counts.recordings], [2, 1, 1, 1, 1]);
  assert.ok(counts.collab_documents + counts.collab_updates >= 1, 'the document');
  assert.is(report.documents.source, report.documents.target);

  const again = await copy(one.dataDir, url, false);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'verified: every count and the documents agree');
  assert.match(again.stdout, new RegExp(`rooms\\s+2\\s+2`), 'nothing doubled');

  // A server on the PostgreSQL serves what the one-node server had.
  const pgServer = await startTestServer({ ...ENV, DATABASE_URL: url });
  ctx.servers.push(pgServer);
  assert.equal((await admin(pgServer, 'GET', '/api/rooms')).json.rooms.map((r: { id: string }) => r.id).sort(), ['moved-room', 'second-room']);
  assert.equal((await admin(pgServer, 'GET', `/api/rooms/${id}/chat`)).json.messages.map((m: { text: string }) => m.text), ['before the move']);
  assert.ok((await admin(pgServer, 'GET', `/api/rooms/${id}/board`)).json.store['shape:moved']);
  assert.is((await admin(pgServer, 'GET', `/api/rooms/${id}/participants`)).json.controls.locked, true);
  assert.equal((await pgServer.server.moderation.load(id)).bannedIdentities, ['mallory']);
  assert.is((await admin(pgServer, 'GET', `/api/rooms/${id}/invites`)).json.invites.length, 1);
  assert.is((await admin(pgServer, 'GET', `/api/recordings/rec_moved000001`)).json.roomId, id);
  // New rows after the copy take keys past the copied ones (the sequences moved on).
  await pgServer.server.moderation.addBan(id, 'identity', 'eve');
  assert.equal((await pgServer.server.moderation.load(id)).bannedIdentities, ['mallory', 'eve']);

  // Now the target holds a row the source does not: not verified.
  const differs = await copy(one.dataDir, url);
  assert.is(differs.code, 2);
  assert.is((JSON.parse(differs.stdout) as { verified: boolean }).verified, false);
  assert.match(differs.stderr, 'could not be verified');
});

test('without a postgresql:// DATABASE_URL the copy is refused (exit 1)', async () => {
  const refused = await copy(os.tmpdir(), 'mysql://db/x');
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'DATABASE_URL');
});

exitAfterRun(test);
