import type { Kysely } from 'kysely';
import { AUTH_LIMITS, type RoomInfo } from '@nomades/shared';
import { roomInfoOf, roomRow } from './KyselyRoomStore.js';
import type { MemberKind, MemberLookup, MemberRole, RoomMemberStore, RoomOwnership, StoredMember } from './RoomMemberStore.js';
import type { NewRoom } from './RoomStore.js';
import type { Tables } from './Tables.js';

const toMember = (r: { kind: string; value: string; role: string }): StoredMember => ({ kind: r.kind as MemberKind, value: r.value, role: r.role as MemberRole });

/** OWN-4: entries read for one agent's "Mes salles" at most (a group in very many rooms). */
const MAX_ENTRIES_READ = 2_000;

/** Room owners and members in the `room_members` table and two columns of `rooms` (StoreDatabase). */
export class KyselyRoomMemberStore implements RoomMemberStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async createAgentRoom(room: NewRoom & { createdBy: string }, owners: readonly StoredMember[]): Promise<RoomInfo | undefined> {
    const row = roomRow(room);
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx.insertInto('rooms').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      if (result.numInsertedOrUpdatedRows !== 1n) return undefined;
      if (owners.length > 0) await trx.insertInto('room_members').values(owners.map((m) => ({ room_id: room.id, ...m }))).execute();
      return roomInfoOf(row);
    });
  }

  async ownership(roomId: string): Promise<RoomOwnership | undefined> {
    const room = await this.#db.selectFrom('rooms').select(['created_by', 'guests_allowed']).where('id', '=', roomId).executeTakeFirst();
    if (!room) return undefined;
    const rows = await this.#db.selectFrom('room_members').select(['kind', 'value', 'role']).where('room_id', '=', roomId).orderBy('seq').execute();
    return {
      roomId,
      createdBy: room.created_by,
      guestsAllowed: room.guests_allowed === null ? null : room.guests_allowed === 1,
      members: rows.map(toMember),
    };
  }

  async saveSettings(roomId: string, settings: { members: readonly StoredMember[]; guestsAllowed: boolean }): Promise<boolean> {
    const entries = dedupe(settings.members.filter((m) => m.kind !== 'agent'));
    return this.#db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('rooms').set({ guests_allowed: settings.guestsAllowed ? 1 : 0 }).where('id', '=', roomId).executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) return false;
      await trx.deleteFrom('room_members').where('room_id', '=', roomId).where('kind', '!=', 'agent').execute();
      if (entries.length > 0) await trx.insertInto('room_members').values(entries.map((m) => ({ room_id: roomId, ...m }))).execute();
      return true;
    });
  }

  async roomsOf(who: MemberLookup): Promise<Array<{ room: RoomInfo; roles: MemberRole[] }>> {
    const groups = who.groups.slice(0, AUTH_LIMITS.maxMembersPerRoom);
    const rows = await this.#db
      .selectFrom('room_members')
      .innerJoin('rooms', 'rooms.id', 'room_members.room_id')
      .selectAll('rooms')
      .select('room_members.role as member_role')
      .where((eb) =>
        eb.or([
          eb.and([eb('room_members.kind', '=', 'agent'), eb('room_members.value', '=', who.key)]),
          ...(who.email ? [eb.and([eb('room_members.kind', '=', 'email'), eb('room_members.value', '=', who.email)])] : []),
          ...(groups.length > 0 ? [eb.and([eb('room_members.kind', '=', 'group'), eb('room_members.value', 'in', groups)])] : []),
        ]),
      )
      .orderBy('rooms.created_at')
      .orderBy('rooms.id')
      .limit(MAX_ENTRIES_READ)
      .execute();
    const byRoom = new Map<string, { room: RoomInfo; roles: MemberRole[] }>();
    for (const { member_role, ...room } of rows) {
      const entry = byRoom.get(room.id) ?? { room: roomInfoOf(room), roles: [] };
      entry.roles.push(member_role as MemberRole);
      byRoom.set(room.id, entry);
    }
    return [...byRoom.values()];
  }

  async roomsOwnedBy(email: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('room_members')
      .select('room_id')
      .where('kind', '=', 'email')
      .where('value', '=', email)
      .where('role', '=', 'owner')
      .orderBy('room_id')
      .execute();
    return rows.map((r) => r.room_id);
  }

  async countCreatedBy(key: string): Promise<number> {
    const row = await this.#db
      .selectFrom('rooms')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_by', '=', key)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async handOver(roomId: string, email: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const room = await trx.selectFrom('rooms').select('id').where('id', '=', roomId).executeTakeFirst();
      if (!room) return false;
      // The new owner's other entry (host or member by email) gives way to the ownership.
      await trx
        .deleteFrom('room_members')
        .where('room_id', '=', roomId)
        .where((eb) => eb.or([eb('role', '=', 'owner'), eb.and([eb('kind', '=', 'email'), eb('value', '=', email)])]))
        .execute();
      await trx.insertInto('room_members').values({ room_id: roomId, kind: 'email', value: email, role: 'owner' }).execute();
      return true;
    });
  }
}

/** One entry per (kind, value): the first wins (owners come first in OWN-3's settings). */
function dedupe(members: readonly StoredMember[]): StoredMember[] {
  const seen = new Set<string>();
  return members.filter((m) => {
    const key = `${m.kind}\0${m.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
