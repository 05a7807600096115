import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, MODERATION_LIMITS } from '@nomades/shared';
import { MODERATION_STORE_FAULT, RoomControls } from '../../server/src/moderation/RoomControls.js';
import { KyselyModerationStore } from '../../server/src/store/KyselyModerationStore.js';
import type { ModerationStore, PersistedModeration } from '../../server/src/store/ModerationStore.js';
import { Store } from '../../server/src/store/Store.js';
import { StoreDatabase } from '../../server/src/store/StoreDatabase.js';
import { StoreEngines } from '../helpers/storeEngines.js';

/**
 * MOD-10 in docs/spec/signaling.md, the store on its own, on SQLite and on PostgreSQL: what a room
 * reads back (oldest first), the caps (the oldest forgotten), deleting a room's rows; and
 * RoomControls over it: read once, written through in order, a failed write applied and recorded
 * as a fault, a failed read refused UNAVAILABLE and tried again.
 */
const engines = new StoreEngines();
test.after(() => engines.close());

const EMPTY: PersistedModeration = {
  locked: false,
  lobbyEnabled: false,
  bannedIdentities: [],
  bannedTokens: [],
  roles: [],
  mediaLocks: [],
  flaggedAddresses: [],
};

for (const engine of engines.names) {
  test(`MOD-10 (${engine}): a room reads back what was written, oldest first, and nothing of another room; reopening keeps it`, () =>
    engines.with(engine, async (opened, where) => {
      const store = opened.moderation;
      assert.equal(await store.load('r1'), EMPTY, 'an unknown room is empty');
      await store.setFlags('r1', { locked: true, lobbyEnabled: true });
      await store.addBan('r1', 'identity', 'a');
      await store.addBan('r1', 'token', 'jti-a');
      await store.addBan('r1', 'identity', 'b');
      await store.addBan('r1', 'identity', 'a'); // a repeat keeps its place
      await store.setRole('r1', 'c', 'attendee');
      await store.setRole('r1', 'd', 'attendee');
      await store.setRole('r1', 'c', 'participant'); // a change keeps its place
      await store.setMediaLock('r1', 'e', 'microphone', true);
      await store.setMediaLock('r1', 'f', 'camera', true);
      await store.setMediaLock('r1', 'e', 'screen', true);
      await store.setMediaLock('r1', 'f', 'camera', false);
      await store.flagAddress('r1', '192.0.2.1');
      await store.flagAddress('r1', '2001:db8::1');
      await store.setFlags('r2', { locked: true, lobbyEnabled: false });
      await store.addBan('r2', 'identity', 'z');

      const reopened = await Store.open(where); // a second CREATE TABLE would throw
      try {
        assert.equal(await reopened.moderation.load('r1'), {
          locked: true,
          lobbyEnabled: true,
          bannedIdentities: ['a', 'b'],
          bannedTokens: ['jti-a'],
          roles: [['c', 'participant'], ['d', 'attendee']],
          mediaLocks: [['e', 'microphone'], ['e', 'screen']],
          flaggedAddresses: ['192.0.2.1', '2001:db8::1'],
        });
        assert.equal(await reopened.moderation.load('r2'), { ...EMPTY, locked: true, bannedIdentities: ['z'] });
        await reopened.moderation.setFlags('r2', { locked: false, lobbyEnabled: false });
        assert.is((await reopened.moderation.load('r2')).locked, false, 'turning off is kept too');
      } finally {
        await reopened.close();
      }
    }),
  );

  test(`MOD-10 (${engine}): the caps keep the newest entries of each list and forget the oldest`, async () => {
    const where = await engines.location(engine);
    const database = await StoreDatabase.open(where);
    try {
      const store = new KyselyModerationStore(database.db, { bansPerKind: 3, roles: 2, mediaLockedIdentities: 2, flaggedAddresses: 2 });
      for (const who of ['a', 'b', 'c', 'd', 'e']) await store.addBan('r', 'identity', who);
      for (const jti of ['j1', 'j2', 'j3', 'j4']) await store.addBan('r', 'token', jti);
      await store.addBan('r', 'identity', 'c'); // a repeat does not push anything out
      for (const who of ['a', 'b', 'c']) await store.setRole('r', who, 'attendee');
      await store.setMediaLock('r', 'a', 'microphone', true);
      await store.setMediaLock('r', 'b', 'microphone', true);
      await store.setMediaLock('r', 'a', 'camera', true); // same identity: still two identities
      await store.setMediaLock('r', 'c', 'screen', true); // a third identity releases the oldest (a, both locks)
      for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await store.flagAddress('r', address);
      await store.addBan('other', 'identity', 'x'); // another room's rows do not count
      const state = await store.load('r');
      assert.equal(state.bannedIdentities, ['c', 'd', 'e']);
      assert.equal(state.bannedTokens, ['j2', 'j3', 'j4'], 'identities and token ids are capped apart');
      assert.equal(state.roles, [['b', 'attendee'], ['c', 'attendee']]);
      assert.equal(state.mediaLocks, [['b', 'microphone'], ['c', 'screen']]);
      assert.equal(state.flaggedAddresses, ['10.0.0.2', '10.0.0.3']);
      assert.equal((await store.load('other')).bannedIdentities, ['x']);
    } finally {
      await database.close();
    }
  });

  test(`MOD-10 (${engine}): deleting a room's rows drops every moderation row of that room and only of it`, () =>
    engines.with(engine, async (opened) => {
      const store = opened.moderation;
      for (const room of ['gone', 'kept']) {
        await store.setFlags(room, { locked: true, lobbyEnabled: true });
        await store.addBan(room, 'identity', 'a');
        await store.addBan(room, 'token', 'j');
        await store.setRole(room, 'b', 'attendee');
        await store.setMediaLock(room, 'c', 'camera', true);
        await store.flagAddress(room, '10.0.0.1');
      }
      await opened.deleteRoomRows('gone');
      assert.equal(await store.load('gone'), EMPTY);
      assert.is((await store.load('kept')).bannedIdentities.length, 1);
      assert.is((await store.load('kept')).locked, true);
    }),
  );

  test(`MOD-10 (${engine}): a value this version does not know (a role, a source) is skipped on load, not trusted`, async () => {
    const where = await engines.location(engine);
    const database = await StoreDatabase.open(where);
    try {
      const store = new KyselyModerationStore(database.db);
      await store.setRole('r', 'a', 'attendee');
      await database.db.insertInto('roles').values({ room_id: 'r', identity: 'b', role: 'emperor' }).execute();
      await database.db.insertInto('media_locks').values({ room_id: 'r', identity: 'b', source: 'telepathy' }).execute();
      assert.equal((await store.load('r')).roles, [['a', 'attendee']]);
      assert.equal((await store.load('r')).mediaLocks, []);
    } finally {
      await database.close();
    }
  });

  test(`MOD-10 (${engine}): RoomControls reads its room once and writes every change through, in order; hands and lobby waiters are not stored`, () =>
    engines.with(engine, async (opened) => {
      const store = opened.moderation;
      const faults: unknown[] = [];
      const sink = { record: (source: string, error: unknown) => faults.push([source, error]) };
      const first = new RoomControls('r', { store, faults: sink });
      await first.load();
      first.setLocked(true);
      first.setLobbyEnabled(true);
      first.ban('mallory', 'jti-m');
      first.setRoleOf('ann', 'attendee');
      first.lockMedia('pat', 'microphone');
      first.lockMedia('pat', 'camera');
      first.unlockMedia('pat', 'camera');
      first.flagAddress('192.0.2.7');
      first.setHand('peer-1', 'Ann', true);
      first.enterLobby({ id: 'w1', identity: 'w', displayName: 'W', guest: false, since: 0, admit() {}, refuse() {}, supersede() {} });
      await first.flushed();
      const second = new RoomControls('r', { store, faults: sink }); // as after a restart
      await second.load();
      assert.is(second.locked, true);
      assert.is(second.lobbyEnabled, true);
      assert.ok(second.isBanned('mallory'));
      assert.ok(second.isBanned('someone-else', 'jti-m'), 'the token id too');
      assert.not.ok(second.isBanned('ann'));
      assert.is(second.roleOf('ann'), 'attendee');
      assert.ok(second.isMediaLocked('pat', 'microphone'));
      assert.not.ok(second.isMediaLocked('pat', 'camera'), 'an unlock is written too, after the lock');
      assert.ok(second.isFlagged('192.0.2.7'));
      assert.equal(second.view(true, 'pat'), { locked: true, lobbyEnabled: true, hands: [], lobby: [], myLocks: ['microphone'] });
      assert.equal(faults, []);
    }),
  );

  test(`NODE-2 (${engine}): a node reads again, before a room comes back to it, what another node changed meanwhile; live hands stay`, () =>
    engines.with(engine, async (opened) => {
      const sink = { record: () => undefined };
      const here = new RoomControls('r', { store: opened.moderation, faults: sink });
      await here.load();
      here.ban('mallory');
      here.setHand('peer-1', 'Ann', true);
      await here.flushed();
      // The room lives on another node for a while: a ban, a role, the lock there.
      const there = new RoomControls('r', { store: opened.moderation, faults: sink });
      await there.load();
      there.ban('eve');
      there.setRoleOf('ann', 'host');
      there.setLocked(true);
      await there.flushed();
      assert.not.ok(here.isBanned('eve'), 'not seen before a refresh');
      await here.refresh();
      assert.ok(here.isBanned('eve') && here.isBanned('mallory'));
      assert.is(here.roleOf('ann'), 'host');
      assert.is(here.locked, true);
      assert.is(here.view(true, '').hands.length, 1, 'the live raised hand stays');
    }));
}

test('MOD-10: the default caps are the named limits', () => {
  assert.is(MODERATION_LIMITS.maxBansPerRoom, 1000);
  assert.is(MODERATION_LIMITS.maxRolesPerRoom, 1000);
  assert.is(MODERATION_LIMITS.maxMediaLockedIdentitiesPerRoom, 1000);
});

/** A store whose reads or writes throw, as a full or broken disk would. */
class BrokenStore implements ModerationStore {
  failLoad = false;
  failWrites = true;
  loads = 0;
  async load(): Promise<PersistedModeration> {
    this.loads++;
    if (this.failLoad) throw new Error('disk I/O error');
    return { ...EMPTY, bannedIdentities: ['stored-ban'] };
  }
  async #write(): Promise<void> {
    if (this.failWrites) throw new Error('database or disk is full');
  }
  setFlags = () => this.#write();
  addBan = () => this.#write();
  setRole = () => this.#write();
  setMediaLock = () => this.#write();
  flagAddress = () => this.#write();
}

test('MOD-10: a write that fails is applied anyway (the live meeting holds) and recorded as a moderation.store fault', async () => {
  const store = new BrokenStore();
  const faults: Array<{ source: string; context?: Record<string, unknown> }> = [];
  const controls = new RoomControls('r', { store, faults: { record: (source, _error, context) => faults.push({ source, context }) } });
  await controls.load();
  const banned: string[] = [];
  controls.on('banned', (identity) => banned.push(identity));
  controls.ban('mallory', 'jti-m');
  controls.setLocked(true);
  controls.lockMedia('pat', 'microphone');
  controls.setRoleOf('ann', 'attendee');
  controls.flagAddress('192.0.2.7');
  assert.ok(controls.isBanned('mallory'), 'no exception reached the caller, and the ban holds');
  assert.equal(banned, ['mallory'], 'live connections are still told');
  assert.ok(controls.locked);
  assert.ok(controls.isMediaLocked('pat', 'microphone'));
  assert.is(controls.roleOf('ann'), 'attendee');
  assert.ok(controls.isFlagged('192.0.2.7'));
  await controls.flushed();
  assert.equal(
    faults.map((f) => `${f.source} ${String(f.context?.op)} ${String(f.context?.room)}`),
    ['ban', 'ban', 'flags', 'lockMedia', 'role', 'flagAddress'].map((op) => `${MODERATION_STORE_FAULT} ${op} r`),
  );
});

test('MOD-10: a read that fails answers UNAVAILABLE (no ban unknown lets anyone in) and is tried again on the next use', async () => {
  const store = new BrokenStore();
  store.failLoad = true;
  const faults: string[] = [];
  const controls = new RoomControls('r', { store, faults: { record: (source) => faults.push(source) } });
  for (const use of [() => controls.load(), async () => controls.isBanned('anyone')]) {
    try {
      await use();
      assert.unreachable('a failed read must not answer');
    } catch (error) {
      assert.instance(error, AppError);
      assert.is((error as AppError).code, 'UNAVAILABLE');
    }
  }
  assert.equal(faults, [MODERATION_STORE_FAULT]);
  assert.ok(controls.pristine, 'nothing held: the registry may drop it');
  store.failLoad = false;
  await Promise.all([controls.load(), controls.load()]);
  assert.ok(controls.isBanned('stored-ban'), 'the next load reads the store');
  await controls.load();
  assert.is(store.loads, 2, 'once read, never again (concurrent loads share one read)');
});

test.run();
