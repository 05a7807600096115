import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Store } from '../../server/src/store/Store.js';
import { StoreEngines } from '../helpers/storeEngines.js';

/**
 * OWN-1…5 and OWN-8 in docs/spec/auth.md, the store on its own, on SQLite and on PostgreSQL: an
 * agent's room made with its owners in one go, settings replacing emails and groups (the agent
 * entry kept), "Mes salles" by key, email or group, rooms by owner, the hand-over, and the
 * entries deleted with the room (ROOM-7).
 */
const engines = new StoreEngines();
test.after(() => engines.close());

const camille = { key: 'u:camille0000000000000', email: 'camille@ville.fr', groups: ['dsi'] };
const newRoom = (id: string) => ({ id, name: `Réunion ${id}`, mode: 'meeting' as const, record: false, maxParticipants: 50 });

async function agentRoom(store: Store, id: string) {
  return store.members.createAgentRoom({ ...newRoom(id), createdBy: camille.key, guestsAllowed: false }, [
    { kind: 'agent', value: camille.key, role: 'owner' },
    { kind: 'email', value: camille.email, role: 'owner' },
  ]);
}

for (const engine of engines.names) {
  test(`OWN-1 (${engine}): an agent's room is made with its owners; its id taken once; admin rooms have no owner and the service's guest rule`, () =>
    engines.with(engine, async (store) => {
      const room = await agentRoom(store, 'r1');
      assert.is(room?.id, 'r1');
      assert.is(room?.name, 'Réunion r1');
      assert.is(await agentRoom(store, 'r1'), undefined, 'a taken id');
      assert.equal(await store.members.ownership('r1'), {
        roomId: 'r1',
        createdBy: camille.key,
        guestsAllowed: false,
        members: [
          { kind: 'agent', value: camille.key, role: 'owner' },
          { kind: 'email', value: camille.email, role: 'owner' },
        ],
      });
      assert.is(await store.members.countCreatedBy(camille.key), 1);
      await store.rooms.create(newRoom('admin'));
      assert.equal(await store.members.ownership('admin'), { roomId: 'admin', createdBy: null, guestsAllowed: null, members: [] });
      assert.is(await store.members.ownership('none'), undefined);
    }));

  test(`OWN-3 (${engine}): settings replace the entries by email and group and the guest rule, the agent entry stays`, () =>
    engines.with(engine, async (store) => {
      await agentRoom(store, 'r1');
      const saved = await store.members.saveSettings('r1', {
        guestsAllowed: true,
        members: [
          { kind: 'email', value: 'dominique@ville.fr', role: 'owner' },
          { kind: 'group', value: 'dsi', role: 'host' },
          { kind: 'email', value: 'lea@ville.fr', role: 'member' },
          { kind: 'email', value: 'lea@ville.fr', role: 'host' }, // a repeat: the first wins
        ],
      });
      assert.ok(saved);
      const after = await store.members.ownership('r1');
      assert.is(after?.guestsAllowed, true);
      assert.equal(after?.members, [
        { kind: 'agent', value: camille.key, role: 'owner' },
        { kind: 'email', value: 'dominique@ville.fr', role: 'owner' },
        { kind: 'group', value: 'dsi', role: 'host' },
        { kind: 'email', value: 'lea@ville.fr', role: 'member' },
      ]);
      assert.not.ok(await store.members.saveSettings('none', { guestsAllowed: true, members: [] }));
    }));

  test(`OWN-4 (${engine}): "Mes salles" finds rooms by the agent's key, email or group, with the roles there, nothing else`, () =>
    engines.with(engine, async (store) => {
      await agentRoom(store, 'mine');
      await store.members.createAgentRoom({ ...newRoom('team'), createdBy: 'u:other' }, [{ kind: 'agent', value: 'u:other', role: 'owner' }]);
      await store.members.saveSettings('team', { guestsAllowed: false, members: [{ kind: 'group', value: 'dsi', role: 'host' }] });
      await store.members.createAgentRoom({ ...newRoom('club'), createdBy: 'u:other' }, [{ kind: 'agent', value: 'u:other', role: 'owner' }]);
      await store.members.saveSettings('club', { guestsAllowed: false, members: [{ kind: 'email', value: camille.email, role: 'member' }] });
      await store.members.createAgentRoom({ ...newRoom('else'), createdBy: 'u:other' }, [{ kind: 'agent', value: 'u:other', role: 'owner' }]);
      const mine = await store.members.roomsOf(camille);
      // By creation time, then id: rooms made within one millisecond come in id order, so compare by id.
      assert.equal(
        mine.map((r) => [r.room.id, [...r.roles].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))),
        [
          ['club', ['member']],
          ['mine', ['owner', 'owner']],
          ['team', ['host']],
        ],
      );
      assert.equal(await store.members.roomsOf({ key: 'u:nobody', email: null, groups: [] }), []);
      // Only by key: the email and the group do not match when the agent has none.
      assert.equal((await store.members.roomsOf({ key: camille.key, email: null, groups: [] })).map((r) => r.room.id), ['mine']);
    }));

  test(`OWN-8 (${engine}): rooms by owner; the hand-over makes one owner by email and drops the former ones`, () =>
    engines.with(engine, async (store) => {
      await agentRoom(store, 'r1');
      await agentRoom(store, 'r2');
      await store.members.saveSettings('r2', {
        guestsAllowed: false,
        members: [
          { kind: 'email', value: camille.email, role: 'owner' },
          { kind: 'email', value: 'paul@ville.fr', role: 'member' },
        ],
      });
      assert.equal(await store.members.roomsOwnedBy(camille.email), ['r1', 'r2']);
      assert.ok(await store.members.handOver('r2', 'paul@ville.fr'));
      assert.equal(await store.members.roomsOwnedBy(camille.email), ['r1']);
      assert.equal(await store.members.roomsOwnedBy('paul@ville.fr'), ['r2']);
      assert.equal((await store.members.ownership('r2'))?.members, [{ kind: 'email', value: 'paul@ville.fr', role: 'owner' }]);
      assert.not.ok(await store.members.handOver('none', 'paul@ville.fr'));
    }));

  test(`ROOM-7 (${engine}): a room's owners and members are deleted with it, another room's kept`, () =>
    engines.with(engine, async (store) => {
      await agentRoom(store, 'r1');
      await agentRoom(store, 'r2');
      const deleted = await store.deleteRoomRows('r1');
      assert.ok(deleted.room);
      assert.is(await store.members.ownership('r1'), undefined);
      assert.equal(await store.members.roomsOwnedBy(camille.email), ['r2']);
      // A new room of the same id starts without the old entries.
      await store.rooms.create(newRoom('r1'));
      assert.equal((await store.members.ownership('r1'))?.members, []);
    }));
}

test.run();
