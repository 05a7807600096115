import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoomInfo } from '@nomades/shared';
import { Store } from '../../server/src/store/Store.js';
import { StoreDatabase } from '../../server/src/store/StoreDatabase.js';
import { TABLE_NAMES } from '../../server/src/store/Tables.js';
import { StoreEngines } from '../helpers/storeEngines.js';

/**
 * The one store layer (issue #21), every store on SQLite and on PostgreSQL: the schema of the
 * migration list, rooms, invitations, recordings' metadata, collab documents, and the deletion of
 * a room's rows in one transaction. Where the engines differ (insert-unless-present, counts,
 * 64-bit columns, blobs, concurrent conditional updates) the same assertions run on both.
 */
const engines = new StoreEngines();
test.after(() => engines.close());

const room = (id: string) => ({ id, name: `Room ${id}`, maxParticipants: 5, mode: 'meeting' as const, record: false });

for (const engine of engines.names) {
  test(`store (${engine}): the migration list creates every table; opening again runs none`, async () => {
    const where = await engines.location(engine);
    const first = await StoreDatabase.open(where);
    const tables = (await first.db.introspection.getTables()).map((t) => t.name);
    for (const name of TABLE_NAMES) assert.ok(tables.includes(name), name);
    const ran = await first.db.selectFrom('kysely_migration' as never).selectAll().execute();
    await first.close();
    const second = await StoreDatabase.open(where);
    assert.equal(await second.db.selectFrom('kysely_migration' as never).selectAll().execute(), ran, 'nothing ran again');
    await second.close();
  });

  test(`store (${engine}): rooms are created once (one statement decides), read, listed, updated with an event`, () =>
    engines.with(engine, async (store) => {
      const results = await Promise.all([1, 2, 3, 4].map(() => store.rooms.create(room('same'))));
      assert.is(results.filter(Boolean).length, 1, 'one of four concurrent creates wins');
      await store.rooms.create({ ...room('other'), mode: 'webinar', record: true, maxScreenShares: 3, recordingViewers: ['host', 'participant'], participantsMayInvite: true });
      const other = (await store.rooms.get('other'))!;
      assert.equal([other.mode, other.record, other.maxScreenShares, other.recordingViewers, other.participantsMayInvite], ['webinar', true, 3, ['host', 'participant'], true]);
      assert.is(await store.rooms.get('missing'), undefined);
      assert.equal((await store.rooms.list()).map((r) => r.id), ['same', 'other']);
      const events: RoomInfo[] = [];
      store.rooms.on('updated', (info) => events.push(info));
      const updated = await store.rooms.update('same', { name: 'Renamed', record: true });
      assert.is(updated?.name, 'Renamed');
      assert.equal(events, [updated!], 'updated once stored');
      assert.is((await store.rooms.get('same'))?.record, true);
      assert.is(await store.rooms.update('missing', { name: 'x' }), undefined);
    }),
  );

  test(`store (${engine}): invitations count their uses atomically and answer the live and meeting queries`, () =>
    engines.with(engine, async (store) => {
      const now = 2_000_000_000; // beyond 2^31: 64-bit times
      await store.invites.insert({ id: 'a', roomId: 'r', role: 'participant', kind: 'admin', createdAt: now, expiresAt: now + 100, maxUses: 3 });
      await store.invites.insert({ id: 'm', roomId: 'r', role: 'participant', kind: 'meeting', createdAt: now + 1, expiresAt: now + 1000, maxUses: null });
      assert.is(await store.invites.countLive('r', now), 1);
      const taken = await Promise.all(Array.from({ length: 8 }, () => store.invites.takeUse('a', now)));
      assert.is(taken.filter(Boolean).length, 3, 'no more uses than allowed, even concurrently');
      assert.is((await store.invites.get('a'))?.uses, 3);
      assert.is(await store.invites.countLive('r', now), 0, 'used up');
      assert.is((await store.invites.meetingInvite('r', now + 500))?.id, 'm');
      assert.is(await store.invites.meetingInvite('r', now + 1000), undefined);
      assert.equal((await store.invites.listByRoom('r')).map((i) => i.id), ['m', 'a'], 'newest first');
      assert.is(await store.invites.revoke('other-room', 'm'), false);
      assert.is(await store.invites.revoke('r', 'm'), true);
      assert.is((await store.invites.get('m'))?.revoked, true);
      assert.is(await store.invites.takeUse('m', now), false, 'revoked');
    }),
  );

  test(`store (${engine}): recordings keep their metadata, notes and big sizes; counted by status; retention's query`, () =>
    engines.with(engine, async (store) => {
      await store.recordings.create('rec1', 'r', '2024-01-01T00:00:00.000Z');
      await store.recordings.create('rec2', 'r', '2024-02-01T00:00:00.000Z');
      const big = 6 * 1024 ** 3;
      const ready = await store.recordings.update('rec1', { status: 'ready', sizeBytes: big, durationMs: 3_600_000, progress: 99.5, endedAt: '2024-01-01T01:00:00.000Z' }, 'composed');
      assert.equal([ready?.status, ready?.sizeBytes, ready?.durationMs, ready?.progress, ready?.note], ['ready', big, 3_600_000, 99.5, 'composed']);
      await store.recordings.addNote('rec1', 'x'.repeat(2500));
      assert.is((await store.recordings.get('rec1'))?.note?.length, 2000, 'the last 2000 characters');
      await store.recordings.update('rec2', { queuePosition: 2 });
      assert.is((await store.recordings.get('rec2'))?.queuePosition, 2);
      await store.recordings.update('rec2', { queuePosition: null, error: 'boom', status: 'failed' });
      assert.is((await store.recordings.get('rec2'))?.queuePosition, undefined);
      assert.equal(await store.recordings.countByStatus(), { ready: 1, failed: 1 });
      assert.equal((await store.recordings.finishedBefore('2024-01-15T00:00:00.000Z')).map((r) => r.id), ['rec1']);
      assert.equal((await store.recordings.listByRoom('r')).map((r) => r.id), ['rec1', 'rec2']);
      await store.recordings.delete('rec1');
      assert.is(await store.recordings.get('rec1'), undefined);
    }),
  );

  test(`store (${engine}): NODE-REC-1 a dead node's unfinished recording is taken over by exactly one of several survivors at once`, () =>
    engines.with(engine, async (store, where) => {
      await store.recordings.create('rec_live', 'r', '2024-01-01T00:00:00.000Z', 'dead');
      await store.recordings.create('rec_done', 'r', '2024-01-01T00:00:01.000Z', 'dead');
      await store.recordings.update('rec_done', { status: 'ready', endedAt: '2024-01-01T00:10:00.000Z' });
      await store.recordings.create('rec_other', 'r', '2024-01-01T00:00:02.000Z', 'alive');
      await store.recordings.create('rec_one', 'r', '2024-01-01T00:00:03.000Z');
      assert.is((await store.recordings.get('rec_live'))?.nodeId, 'dead');
      assert.is((await store.recordings.get('rec_one'))?.nodeId, undefined, 'one node: no node');
      assert.equal((await store.recordings.unfinishedOf('dead')).map((r) => r.id), ['rec_live'], 'only the unfinished ones of that node');
      assert.equal(await store.recordings.unfinishedNodes(), ['alive', 'dead']);
      // Four survivors at once: on PostgreSQL each with its own pool on the same database; SQLite is
      // one node's (several nodes need PostgreSQL, NODE-1), so there they share its one connection.
      const others = engine === 'postgres' ? await Promise.all([1, 2, 3].map(() => Store.open(where))) : [store, store, store];
      try {
        const survivors = [store, ...others];
        const at = '2024-01-01T00:05:00.000Z';
        const results = await Promise.all(
          survivors.map((s, i) => s.recordings.takeOver('rec_live', { deadNodeId: 'dead', nodeId: `n${i}`, at, note: `taken by n${i}` })),
        );
        const won = results.filter((r) => r !== undefined);
        assert.is(won.length, 1, 'exactly one survivor takes it');
        const row = (await store.recordings.get('rec_live'))!;
        assert.equal([row.status, row.nodeId, row.endedAt, row.note], ['processing', won[0]!.nodeId, at, `taken by ${won[0]!.nodeId}`]);
        assert.is(await store.recordings.takeOver('rec_live', { deadNodeId: 'dead', nodeId: 'late', at, note: 'late' }), undefined, 'not twice');
        assert.is(await store.recordings.takeOver('rec_done', { deadNodeId: 'dead', nodeId: 'n0', at, note: 'x' }), undefined, 'a finished one stays');
        assert.is(await store.recordings.takeOver('rec_other', { deadNodeId: 'dead', nodeId: 'n0', at, note: 'x' }), undefined, 'another node\'s stays');
        assert.is((await store.recordings.get('rec_done'))?.status, 'ready');
        assert.equal(await store.recordings.unfinishedOf('dead'), []);
        assert.equal(await store.recordings.unfinishedNodes(), ['alive', won[0]!.nodeId]);
        // NODE-REC-2: continuing on the room's new node races composing it: one of them only.
        await store.recordings.create('rec_cont', 'r', '2024-01-01T00:00:04.000Z', 'dead2');
        const race = await Promise.all(survivors.map((s, i) => i % 2
          ? s.recordings.continueOn('rec_cont', { deadNodeId: 'dead2', nodeId: `n${i}`, at, note: `continued by n${i}` }).then((r) => r && ['continue', r] as const)
          : s.recordings.takeOver('rec_cont', { deadNodeId: 'dead2', nodeId: `n${i}`, at, note: `taken by n${i}` }).then((r) => r && ['compose', r] as const)));
        const winners = race.filter((r) => r !== undefined);
        assert.is(winners.length, 1, 'continue and compose never both happen');
        const [how, info] = winners[0]!;
        assert.is(info.status, how === 'continue' ? 'recording' : 'processing');
        assert.is((await store.recordings.get('rec_cont'))?.nodeId, info.nodeId);
        assert.is(await store.recordings.continueOn('rec_cont', { deadNodeId: 'dead2', nodeId: 'late', at, note: 'late' }), undefined, 'not twice');
        assert.is(await store.recordings.continueOn('rec_live', { deadNodeId: won[0]!.nodeId!, nodeId: 'late', at, note: 'x' }), undefined, 'a processing one is not continued');
        await store.recordings.update('rec_cont', { status: how === 'continue' ? 'processing' : 'ready' });
        await store.recordings.update('rec_one', { nodeId: 'n9' });
        assert.is((await store.recordings.get('rec_one'))?.nodeId, 'n9');
      } finally {
        if (engine === 'postgres') await Promise.all(others.map((s) => s.close()));
      }
    }),
  );

  test(`store (${engine}): collab documents keep their updates in order, as bytes; a compaction replaces the log`, () =>
    engines.with(engine, async (store) => {
      const bytes = (n: number) => Uint8Array.from({ length: 300 }, (_, i) => (i * n) % 256);
      for (let i = 1; i <= 5; i++) await store.documents.append('rooms/a', bytes(i));
      await store.documents.append('rooms/b', bytes(9));
      const read = await store.documents.read('rooms/a');
      assert.is(read.state, undefined);
      assert.equal(read.updates.map((u) => Buffer.from(u).toString('hex')), [1, 2, 3, 4, 5].map((i) => Buffer.from(bytes(i)).toString('hex')));
      assert.is(await store.documents.pendingUpdates('rooms/a'), 5);
      await store.documents.compact('rooms/a', bytes(7));
      await store.documents.compact('rooms/a', bytes(8)); // an upsert
      const compacted = await store.documents.read('rooms/a');
      assert.is(Buffer.from(compacted.state!).toString('hex'), Buffer.from(bytes(8)).toString('hex'));
      assert.equal(compacted.updates, []);
      assert.equal((await store.documents.names()).sort(), ['rooms/a', 'rooms/b']);
      await store.documents.delete('rooms/b');
      assert.equal(await store.documents.names(), ['rooms/a']);
    }),
  );

  test(`store (${engine}): ROOM-7 deletes a room's rows of every table in one transaction, and only that room's`, () =>
    engines.with(engine, async (store) => {
      for (const id of ['gone', 'kept']) {
        await store.rooms.create(room(id));
        await store.invites.insert({ id: `inv-${id}`, roomId: id, role: 'participant', kind: 'admin', createdAt: 1, expiresAt: 4_000_000_000, maxUses: null });
        await store.moderation.addBan(id, 'identity', 'mallory');
        await store.moderation.setFlags(id, { locked: true, lobbyEnabled: false });
        await store.recordings.create(`rec-${id}`, id, '2024-01-01T00:00:00.000Z');
        await store.documents.append(`rooms/${id}`, new Uint8Array([1]));
        await store.documents.compact(`rooms/${id}`, new Uint8Array([2]));
        await store.documents.append(`rooms/${id}`, new Uint8Array([3]));
      }
      assert.equal(await store.deleteRoomRows('gone'), { room: true, invitations: 1, recordings: 1 });
      assert.is(await store.rooms.get('gone'), undefined);
      assert.equal(await store.invites.listByRoom('gone'), []);
      assert.is((await store.moderation.load('gone')).locked, false);
      assert.equal(await store.recordings.listByRoom('gone'), []);
      assert.equal(await store.documents.read('rooms/gone'), { updates: [] });
      assert.ok(await store.rooms.get('kept'));
      assert.is((await store.invites.listByRoom('kept')).length, 1);
      assert.is((await store.moderation.load('kept')).bannedIdentities.length, 1);
      assert.is((await store.recordings.listByRoom('kept')).length, 1);
      assert.is((await store.documents.read('rooms/kept')).updates.length, 1);
      assert.equal(await store.deleteRoomRows('gone'), { room: false, invitations: 0, recordings: 0 }, 'a second deletion finds nothing');
    }),
  );
}

test('store: a DATABASE_URL that cannot be reached fails the open, and leaves nothing running', async () => {
  try {
    await Store.open({ dataDir: '/nonexistent', databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' });
    assert.unreachable('must fail');
  } catch (error) {
    assert.match(String((error as Error).message), /ECONNREFUSED|connect/);
  }
});

test.run();
