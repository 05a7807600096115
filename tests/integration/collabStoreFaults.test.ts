import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * COL-14: SQLite errors of the collab store, raised from Hocuspocus' debounce timer (compaction)
 * and from the update listener (append), are caught, logged, shown in `storeHealth` and
 * `/healthz`; the process stays up, clients stay connected, and nothing acknowledged is lost once
 * the store works again. The errors are real: another connection drops the store's tables.
 */
const faults = suite('collab store faults');

const STORE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS collab_documents (name TEXT PRIMARY KEY, state BLOB NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS collab_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, data BLOB NOT NULL);
  CREATE INDEX IF NOT EXISTS collab_updates_name ON collab_updates (name, seq);
`;

faults('COL-14: a failing compaction (debounce timer) and failing appends are survived; the room is whole after recovery and a restart', async () => {
  const first = await startTestServer({}, { keepData: true });
  const dataDir = first.dataDir;
  const clients: Client[] = [];
  let second: TestServer | undefined;
  const db = new Database(path.join(dataDir, 'nomades.db'));
  try {
    const { id } = await first.createRoom({ id: 'faulty' });
    const ada = new Client(first.url, id, await first.mintToken(id, 'Ada'));
    clients.push(ada);
    await ada.synced();
    ada.board.set('shape:a', shape('shape:a'));
    assert.is((await ada.say('before')).type, 'chat.accepted');
    await waitFor('first compaction', () => first.server.collab.storeHealth.failures === 0 && (db.prepare('SELECT COUNT(*) AS n FROM collab_documents').get() as { n: number }).n === 1, 15_000, 50);

    // Compaction, run by Hocuspocus' debounce timer, now fails (no such table).
    db.exec('DROP TABLE collab_documents');
    ada.board.set('shape:b', shape('shape:b'));
    const failed = await waitFor('a compaction failure is recorded', () => (first.server.collab.storeHealth.ok ? null : first.server.collab.storeHealth), 15_000, 50);
    assert.equal(failed.failing, [`rooms/${id}`]);
    assert.is(failed.last?.op, 'compact');
    assert.match(failed.last?.message ?? '', /no such table/);
    const health = await fetch(`${first.url}/healthz`);
    assert.is(health.status, 200, 'the process is up');
    assert.is(((await health.json()) as { status: string }).status, 'degraded');

    // Appends (the update listener, inside the Yjs transaction) fail too: the client is not closed.
    db.exec('DROP TABLE collab_updates');
    ada.board.set('shape:c', shape('shape:c'));
    assert.is((await ada.say('during')).type, 'chat.accepted');
    await waitFor('an append failure is recorded', () => first.server.collab.storeHealth.byOp.append >= 2, 15_000, 50);
    const bob = new Client(first.url, id, await first.mintToken(id, 'Bob'));
    clients.push(bob);
    await bob.synced();
    await waitFor('Bob has every shape', () => ['shape:a', 'shape:b', 'shape:c'].every((k) => bob.board.has(k)), 5_000, 10);
    assert.equal(bob.chat.map((m) => m.text), ['before', 'during']);
    assert.is(ada.closes.length, 0, 'a store failure never closes a client');

    // The store works again: the next compaction writes the whole in-memory state.
    db.exec(STORE_SCHEMA);
    ada.board.set('shape:d', shape('shape:d'));
    await waitFor('the store is healthy again', () => first.server.collab.storeHealth.ok, 15_000, 50);
    await first.close();
    for (const c of clients) c.destroy();

    second = await startTestServer({}, { dataDir });
    const carol = new Client(second.url, id, await second.mintToken(id, 'Carol'));
    clients.push(carol);
    await carol.synced();
    await waitFor('Carol has every shape after the restart', () => carol.board.map.size === 4, 5_000, 10);
    assert.equal([...carol.board.map.keys()].sort(), ['shape:a', 'shape:b', 'shape:c', 'shape:d']);
    assert.equal(carol.chat.map((m) => m.text), ['before', 'during']);
  } finally {
    for (const c of clients) c.destroy();
    db.close();
    await second?.close();
    if (!second) await first.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

faults.run();
