import { EventEmitter } from 'node:events';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { DEFAULT_RECORDING_VIEWERS, LIMITS, roleSchema, type Role, type RoomInfo, type RoomMode, type UpdateRoomBody } from '@nomades/shared';
import type { NewRoom, RoomStore, RoomStoreEvents } from './RoomStore.js';
import type { RoomsTable, Tables } from './Tables.js';

/** A stored list of roles, read strictly: anything else reads as the default (hosts only). */
function viewersOf(json: string): Role[] {
  try {
    const parsed = roleSchema.array().safeParse(JSON.parse(json));
    if (parsed.success) return [...new Set(parsed.data)];
  } catch {
    // fall through
  }
  return [...DEFAULT_RECORDING_VIEWERS];
}

const toInfo = (r: Selectable<RoomsTable>): RoomInfo => ({
  id: r.id,
  name: r.name,
  maxParticipants: r.max_participants,
  mode: r.mode as RoomMode,
  record: r.record === 1,
  maxScreenShares: r.max_screen_shares,
  recordingViewers: viewersOf(r.recording_viewers),
  participantsMayInvite: r.participants_may_invite === 1,
  createdAt: r.created_at,
});

/** The row of a new room (also written by KyselyRoomMemberStore.createAgentRoom, OWN-1). */
export function roomRow(room: NewRoom): Selectable<RoomsTable> {
  return {
    id: room.id,
    name: room.name,
    max_participants: room.maxParticipants,
    mode: room.mode,
    record: room.record ? 1 : 0,
    max_screen_shares: room.maxScreenShares ?? LIMITS.defaultMaxScreenShares,
    recording_viewers: JSON.stringify(room.recordingViewers ?? DEFAULT_RECORDING_VIEWERS),
    participants_may_invite: room.participantsMayInvite ? 1 : 0,
    created_at: new Date().toISOString(),
    created_by: room.createdBy ?? null,
    guests_allowed: room.guestsAllowed === undefined ? null : room.guestsAllowed ? 1 : 0,
  };
}

export const roomInfoOf = toInfo;

/** Rooms in the `rooms` table (StoreDatabase: SQLite or PostgreSQL). */
export class KyselyRoomStore extends EventEmitter<RoomStoreEvents> implements RoomStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    super();
    this.#db = db;
  }

  async create(room: NewRoom): Promise<RoomInfo | undefined> {
    const row = roomRow(room);
    const result = await this.#db.insertInto('rooms').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n ? toInfo(row) : undefined;
  }

  async get(id: string): Promise<RoomInfo | undefined> {
    const row = await this.#db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  async list(): Promise<RoomInfo[]> {
    return (await this.#db.selectFrom('rooms').selectAll().orderBy('created_at').orderBy('id').execute()).map(toInfo);
  }

  async update(id: string, patch: UpdateRoomBody): Promise<RoomInfo | undefined> {
    // Only the fields given are written: two PATCHes of one room (from two nodes too) keep each other's.
    const set: Updateable<RoomsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.maxParticipants !== undefined) set.max_participants = patch.maxParticipants;
    if (patch.record !== undefined) set.record = patch.record ? 1 : 0;
    if (patch.maxScreenShares !== undefined) set.max_screen_shares = patch.maxScreenShares;
    if (patch.recordingViewers !== undefined) set.recording_viewers = JSON.stringify(patch.recordingViewers);
    if (patch.participantsMayInvite !== undefined) set.participants_may_invite = patch.participantsMayInvite ? 1 : 0;
    const next = await this.#db.transaction().execute(async (trx) => {
      if (Object.keys(set).length > 0) await trx.updateTable('rooms').set(set).where('id', '=', id).execute();
      const row = await trx.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toInfo(row) : undefined;
    });
    if (next) this.emit('updated', next);
    return next;
  }
}
