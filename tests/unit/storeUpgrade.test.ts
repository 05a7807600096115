import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as Y from 'yjs';
import { Store } from '../../server/src/store/Store.js';

/**
 * Issue #21, an installation from before the one store layer: a DATA_DIR written by the old code
 * (nomades.db at user_version 2 or 3, moderation.db, invites.db, recordings.db without the
 * queue_position of its second migration, collab.db with rows still in its WAL). The first start
 * adopts nomades.db and imports every row of the other files once, renaming them `*.imported`;
 * the next start imports nothing again. The schema below is the old migrations', copied.
 */
const OLD_ROOMS = [
  `CREATE TABLE rooms (id TEXT PRIMARY KEY, name TEXT NOT NULL, max_participants INTEGER NOT NULL,
     mode TEXT NOT NULL DEFAULT 'meeting', record INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)`,
  `ALTER TABLE rooms ADD COLUMN max_screen_shares INTEGER NOT NULL DEFAULT 1`,
  `ALTER TABLE rooms ADD COLUMN recording_viewers TEXT NOT NULL DEFAULT '["host"]';
   ALTER TABLE rooms ADD COLUMN participants_may_invite INTEGER NOT NULL DEFAULT 0`,
];
const OLD_MODERATION = `CREATE TABLE room_flags (room_id TEXT PRIMARY KEY, locked INTEGER NOT NULL DEFAULT 0, lobby_enabled INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE bans (seq INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('identity', 'token')), value TEXT NOT NULL, UNIQUE (room_id, kind, value));
  CREATE TABLE roles (seq INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL, identity TEXT NOT NULL, role TEXT NOT NULL, UNIQUE (room_id, identity));
  CREATE TABLE media_locks (seq INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL, identity TEXT NOT NULL, source TEXT NOT NULL, UNIQUE (room_id, identity, source));
  CREATE TABLE flagged_addresses (seq INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL, address TEXT NOT NULL, UNIQUE (room_id, address))`;
const OLD_INVITES = `CREATE TABLE invites (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX invites_room ON invites (room_id, expires_at)`;
const OLD_RECORDINGS = `CREATE TABLE recordings (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,
  ended_at TEXT, duration_ms INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0, progress REAL NOT NULL DEFAULT 0, error TEXT, note TEXT);
  CREATE INDEX recordings_room ON recordings (room_id, started_at)`;
const OLD_COLLAB = `CREATE TABLE IF NOT EXISTS collab_documents (name TEXT PRIMARY KEY, state BLOB NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS collab_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, data BLOB NOT NULL);
  CREATE INDEX IF NOT EXISTS collab_updates_name ON collab_updates (name, seq)`;

/** A file as the old openDatabase left it: WAL, its migrations, user_version. */
function oldFile(dir: string, name: string, migrations: string[]): Database.Database {
  const db = new Database(path.join(dir, name));
  db.pragma('journal_mode = WAL');
  for (const m of migrations) db.exec(m);
  db.pragma(`user_version = ${migrations.length}`);
  return db;
}

/** The DATA_DIR of the old code, with nomades.db at `roomsVersion`; collab.db as a crash left it (its rows in its -wal file). */
function oldDataDir(roomsVersion: number): { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-upgrade-'));
  const rooms = oldFile(dir, 'nomades.db', OLD_ROOMS.slice(0, roomsVersion));
  rooms.prepare(`INSERT INTO rooms (id, name, max_participants, mode, record, created_at) VALUES ('old', 'Old room', 7, 'webinar', 1, '2024-01-01T00:00:00.000Z')`).run();
  rooms.close();
  const moderation = oldFile(dir, 'moderation.db', [OLD_MODERATION]);
  moderation.exec(`INSERT INTO room_flags VALUES ('old', 1, 0);
    INSERT INTO bans (room_id, kind, value) VALUES ('old', 'identity', 'first'), ('old', 'identity', 'second'), ('old', 'token', 'jti');
    INSERT INTO roles (room_id, identity, role) VALUES ('old', 'ann', 'attendee');
    INSERT INTO media_locks (room_id, identity, source) VALUES ('old', 'pat', 'camera');
    INSERT INTO flagged_addresses (room_id, address) VALUES ('old', '192.0.2.9')`);
  moderation.close();
  const invites = oldFile(dir, 'invites.db', [OLD_INVITES]);
  invites.exec(`INSERT INTO invites (id, room_id, role, kind, created_at, expires_at, max_uses, uses) VALUES ('inv_old', 'old', 'participant', 'admin', 100, 4000000000, 5, 2)`);
  invites.close();
  const recordings = oldFile(dir, 'recordings.db', [OLD_RECORDINGS]);
  recordings.exec(`INSERT INTO recordings (id, room_id, status, started_at, ended_at, duration_ms, size_bytes, progress, note) VALUES ('rec_old', 'old', 'ready', '2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z', 3600000, 123456, 100, 'composed')`);
  recordings.close();
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  doc.getArray('chat').push([{ text: 'kept' }]);
  const state = Y.encodeStateAsUpdate(doc);
  doc.getArray('chat').push([{ text: 'in the log' }]);
  const collab = new Database(path.join(dir, 'collab.db'));
  collab.pragma('journal_mode = WAL');
  collab.exec(OLD_COLLAB);
  collab.prepare('INSERT INTO collab_documents VALUES (?, ?, ?)').run('rooms/old', state, '2024-01-01T00:00:00.000Z');
  collab.prepare('INSERT INTO collab_updates (name, data) VALUES (?, ?)').run('rooms/old', updates[1]);
  // A crash: the files as they are while the connection is open (closing would checkpoint the WAL).
  const files = ['collab.db', 'collab.db-wal', 'collab.db-shm'].map((f) => [f, fs.readFileSync(path.join(dir, f))] as const);
  collab.close();
  for (const [f, bytes] of files) fs.writeFileSync(path.join(dir, f), bytes);
  assert.ok(fs.statSync(path.join(dir, 'collab.db-wal')).size > 0, 'rows in the WAL');
  return { dir };
}

async function assertImported(store: Store): Promise<void> {
  const room = await store.rooms.get('old');
  assert.equal([room?.name, room?.maxParticipants, room?.mode, room?.record], ['Old room', 7, 'webinar', true]);
  assert.equal([room?.maxScreenShares, room?.recordingViewers, room?.participantsMayInvite], [1, ['host'], false], 'the defaults of the columns added since');
  assert.equal(await store.moderation.load('old'), {
    locked: true,
    lobbyEnabled: false,
    bannedIdentities: ['first', 'second'],
    bannedTokens: ['jti'],
    roles: [['ann', 'attendee']],
    mediaLocks: [['pat', 'camera']],
    flaggedAddresses: ['192.0.2.9'],
  });
  const invite = await store.invites.get('inv_old');
  assert.equal([invite?.uses, invite?.maxUses, invite?.expiresAt], [2, 5, 4_000_000_000]);
  const recording = await store.recordings.get('rec_old');
  assert.equal([recording?.status, recording?.sizeBytes, recording?.note, recording?.queuePosition], ['ready', 123456, 'composed', undefined]);
  const stored = await store.documents.read('rooms/old');
  const doc = new Y.Doc();
  if (stored.state) Y.applyUpdate(doc, stored.state);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  assert.equal(doc.getArray('chat').toJSON(), [{ text: 'kept' }, { text: 'in the log' }], 'the state and the log');
}

for (const version of [1, 2, 3]) {
  test(`upgrade: a DATA_DIR of the old code (nomades.db at user_version ${version}) is adopted and its files imported once`, async () => {
    const { dir } = oldDataDir(version);
    try {
      const store = await Store.open({ dataDir: dir });
      try {
        await assertImported(store);
      } finally {
        await store.close();
      }
      for (const file of ['moderation.db', 'invites.db', 'recordings.db', 'collab.db']) {
        assert.not.ok(fs.existsSync(path.join(dir, file)), `${file} is gone`);
        assert.ok(fs.existsSync(path.join(dir, `${file}.imported`)), `${file}.imported is kept`);
      }
      const again = await Store.open({ dataDir: dir });
      try {
        await assertImported(again);
        assert.is((await again.documents.read('rooms/old')).updates.length, 1, 'nothing imported twice');
        assert.equal((await again.rooms.list()).length, 1);
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('upgrade: an import cut short (the file not renamed yet) runs again without doubling anything', async () => {
  const { dir } = oldDataDir(3);
  try {
    const copies = ['moderation.db', 'invites.db', 'recordings.db', 'collab.db'].map((f) => [f, fs.readFileSync(path.join(dir, f))] as const);
    await (await Store.open({ dataDir: dir })).close();
    for (const [file, bytes] of copies) fs.writeFileSync(path.join(dir, file), bytes); // as if the renames never happened
    const store = await Store.open({ dataDir: dir });
    try {
      await assertImported(store);
      assert.is((await store.documents.read('rooms/old')).updates.length, 1);
      assert.is((await store.moderation.load('old')).bannedIdentities.length, 2);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
