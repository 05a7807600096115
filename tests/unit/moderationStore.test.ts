import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, MODERATION_LIMITS } from '@nomades/shared';
import { MODERATION_STORE_FAULT, RoomControls } from '../../server/src/moderation/RoomControls.js';
import type { ModerationStore, PersistedModeration } from '../../server/src/store/ModerationStore.js';
import { SqliteModerationStore } from '../../server/src/store/SqliteModerationStore.js';

/**
 * MOD-10 in docs/spec/signaling.md, the store on its own: moderation.db's schema and migrations,
 * what a room reads back (oldest first), the caps (the oldest forgotten), forgetting a room; and
 * RoomControls over it: read once, written through, a failed write applied and recorded as a
 * fault, a failed read refused UNAVAILABLE and tried again.
 */
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-moderation-'));
const EMPTY: PersistedModeration = {
  locked: false,
  lobbyEnabled: false,
  bannedIdentities: [],
  bannedTokens: [],
  roles: [],
  mediaLocks: [],
  flaggedAddresses: [],
};

const withDir = (fn: (dir: string) => void) => () => {
  const dir = tmp();
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

test('MOD-10: moderation.db is created 0600 at schema version 1; reopening keeps the data and runs no migration again', withDir((dir) => {
  const store = new SqliteModerationStore(dir);
  store.addBan('r1', 'identity', 'mallory');
  store.close();
  const file = path.join(dir, 'moderation.db');
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
  const raw = new Database(file, { readonly: true });
  assert.is(raw.pragma('user_version', { simple: true }), 1);
  const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  assert.equal(tables, ['bans', 'flagged_addresses', 'media_locks', 'roles', 'room_flags']);
  raw.close();
  const again = new SqliteModerationStore(dir); // a second CREATE TABLE would throw
  assert.equal(again.load('r1').bannedIdentities, ['mallory']);
  again.close();
  again.close(); // idempotent
}));

test('MOD-10: a room reads back what was written, oldest first, and nothing of another room', withDir((dir) => {
  const store = new SqliteModerationStore(dir);
  assert.equal(store.load('r1'), EMPTY, 'an unknown room is empty');
  store.setFlags('r1', { locked: true, lobbyEnabled: true });
  store.addBan('r1', 'identity', 'a');
  store.addBan('r1', 'token', 'jti-a');
  store.addBan('r1', 'identity', 'b');
  store.addBan('r1', 'identity', 'a'); // a repeat keeps its place
  store.setRole('r1', 'c', 'attendee');
  store.setRole('r1', 'd', 'attendee');
  store.setRole('r1', 'c', 'participant'); // a change keeps its place
  store.setMediaLock('r1', 'e', 'microphone', true);
  store.setMediaLock('r1', 'f', 'camera', true);
  store.setMediaLock('r1', 'e', 'screen', true);
  store.setMediaLock('r1', 'f', 'camera', false);
  store.flagAddress('r1', '192.0.2.1');
  store.flagAddress('r1', '2001:db8::1');
  store.setFlags('r2', { locked: true, lobbyEnabled: false });
  store.addBan('r2', 'identity', 'z');
  store.close();

  const reopened = new SqliteModerationStore(dir);
  assert.equal(reopened.load('r1'), {
    locked: true,
    lobbyEnabled: true,
    bannedIdentities: ['a', 'b'],
    bannedTokens: ['jti-a'],
    roles: [['c', 'participant'], ['d', 'attendee']],
    mediaLocks: [['e', 'microphone'], ['e', 'screen']],
    flaggedAddresses: ['192.0.2.1', '2001:db8::1'],
  });
  assert.equal(reopened.load('r2'), { ...EMPTY, locked: true, bannedIdentities: ['z'] });
  reopened.setFlags('r2', { locked: false, lobbyEnabled: false });
  assert.is(reopened.load('r2').locked, false, 'turning off is kept too');
  reopened.close();
}));

test('MOD-10: the caps keep the newest entries of each list and forget the oldest', withDir((dir) => {
  const store = new SqliteModerationStore(dir, { bansPerKind: 3, roles: 2, mediaLockedIdentities: 2, flaggedAddresses: 2 });
  for (const who of ['a', 'b', 'c', 'd', 'e']) store.addBan('r', 'identity', who);
  for (const jti of ['j1', 'j2', 'j3', 'j4']) store.addBan('r', 'token', jti);
  store.addBan('r', 'identity', 'c'); // a repeat does not push anything out
  for (const who of ['a', 'b', 'c']) store.setRole('r', who, 'attendee');
  store.setMediaLock('r', 'a', 'microphone', true);
  store.setMediaLock('r', 'b', 'microphone', true);
  store.setMediaLock('r', 'a', 'camera', true); // same identity: still two identities
  store.setMediaLock('r', 'c', 'screen', true); // a third identity releases the oldest (a, both locks)
  for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) store.flagAddress('r', address);
  store.addBan('other', 'identity', 'x'); // another room's rows do not count
  const state = store.load('r');
  assert.equal(state.bannedIdentities, ['c', 'd', 'e']);
  assert.equal(state.bannedTokens, ['j2', 'j3', 'j4'], 'identities and token ids are capped apart');
  assert.equal(state.roles, [['b', 'attendee'], ['c', 'attendee']]);
  assert.equal(state.mediaLocks, [['b', 'microphone'], ['c', 'screen']]);
  assert.equal(state.flaggedAddresses, ['10.0.0.2', '10.0.0.3']);
  assert.equal(store.load('other').bannedIdentities, ['x']);
  store.close();
}));

test('MOD-10: the default caps are the named limits', () => {
  assert.is(MODERATION_LIMITS.maxBansPerRoom, 1000);
  assert.is(MODERATION_LIMITS.maxRolesPerRoom, 1000);
  assert.is(MODERATION_LIMITS.maxMediaLockedIdentitiesPerRoom, 1000);
});

test('MOD-10: forgetRoom drops every row of that room and only of it', withDir((dir) => {
  const store = new SqliteModerationStore(dir);
  for (const room of ['gone', 'kept']) {
    store.setFlags(room, { locked: true, lobbyEnabled: true });
    store.addBan(room, 'identity', 'a');
    store.addBan(room, 'token', 'j');
    store.setRole(room, 'b', 'attendee');
    store.setMediaLock(room, 'c', 'camera', true);
    store.flagAddress(room, '10.0.0.1');
  }
  store.forgetRoom('gone');
  assert.equal(store.load('gone'), EMPTY);
  assert.is(store.load('kept').bannedIdentities.length, 1);
  assert.is(store.load('kept').locked, true);
  store.close();
}));

test('MOD-10: a value this version does not know (a role, a source) is skipped on load, not trusted', withDir((dir) => {
  const store = new SqliteModerationStore(dir);
  store.setRole('r', 'a', 'attendee');
  store.close();
  const raw = new Database(path.join(dir, 'moderation.db'));
  raw.prepare("INSERT INTO roles (room_id, identity, role) VALUES ('r', 'b', 'emperor')").run();
  raw.prepare("INSERT INTO media_locks (room_id, identity, source) VALUES ('r', 'b', 'telepathy')").run();
  raw.close();
  const reopened = new SqliteModerationStore(dir);
  assert.equal(reopened.load('r').roles, [['a', 'attendee']]);
  assert.equal(reopened.load('r').mediaLocks, []);
  reopened.close();
}));

test('MOD-10: RoomControls reads its room once and writes every change through; hands and lobby waiters are not stored', withDir((dir) => {
  const store = new SqliteModerationStore(dir);
  const faults: unknown[] = [];
  const sink = { record: (source: string, error: unknown) => faults.push([source, error]) };
  const first = new RoomControls('r', { store, faults: sink });
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
  const second = new RoomControls('r', { store, faults: sink }); // as after a restart
  assert.is(second.locked, true);
  assert.is(second.lobbyEnabled, true);
  assert.ok(second.isBanned('mallory'));
  assert.ok(second.isBanned('someone-else', 'jti-m'), 'the token id too');
  assert.not.ok(second.isBanned('ann'));
  assert.is(second.roleOf('ann'), 'attendee');
  assert.ok(second.isMediaLocked('pat', 'microphone'));
  assert.not.ok(second.isMediaLocked('pat', 'camera'), 'an unlock is written too');
  assert.ok(second.isFlagged('192.0.2.7'));
  assert.equal(second.view(true, 'pat'), { locked: true, lobbyEnabled: true, hands: [], lobby: [], myLocks: ['microphone'] });
  assert.equal(faults, []);
  store.close();
}));

/** A store whose reads or writes throw, as a full or broken disk would. */
class BrokenStore implements ModerationStore {
  failLoad = false;
  failWrites = true;
  loads = 0;
  load(): PersistedModeration {
    this.loads++;
    if (this.failLoad) throw new Error('disk I/O error');
    return { ...EMPTY, bannedIdentities: ['stored-ban'] };
  }
  #write(): void {
    if (this.failWrites) throw new Error('database or disk is full');
  }
  setFlags = () => this.#write();
  addBan = () => this.#write();
  setRole = () => this.#write();
  setMediaLock = () => this.#write();
  flagAddress = () => this.#write();
  forgetRoom = () => this.#write();
  close() {}
}

test('MOD-10: a write that fails is applied anyway (the live meeting holds) and recorded as a moderation.store fault', () => {
  const store = new BrokenStore();
  const faults: Array<{ source: string; context?: Record<string, unknown> }> = [];
  const controls = new RoomControls('r', { store, faults: { record: (source, _error, context) => faults.push({ source, context }) } });
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
  assert.equal(
    faults.map((f) => `${f.source} ${String(f.context?.op)} ${String(f.context?.room)}`),
    ['ban', 'ban', 'flags', 'lockMedia', 'role', 'flagAddress'].map((op) => `${MODERATION_STORE_FAULT} ${op} r`),
  );
});

test('MOD-10: a read that fails answers UNAVAILABLE (no ban unknown lets anyone in) and is tried again on the next use', () => {
  const store = new BrokenStore();
  store.failLoad = true;
  const faults: string[] = [];
  const controls = new RoomControls('r', { store, faults: { record: (source) => faults.push(source) } });
  try {
    controls.isBanned('anyone');
    assert.unreachable('a failed read must not answer');
  } catch (error) {
    assert.instance(error, AppError);
    assert.is((error as AppError).code, 'UNAVAILABLE');
  }
  assert.equal(faults, [MODERATION_STORE_FAULT]);
  assert.ok(controls.pristine, 'nothing held: the registry may drop it');
  store.failLoad = false;
  assert.ok(controls.isBanned('stored-ban'), 'the next use reads the store');
  assert.ok(controls.isBanned('stored-ban'));
  assert.is(store.loads, 2, 'once read, never again');
});

test.run();
