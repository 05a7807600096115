import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { openDatabase } from './openDatabase.js';
import { DEFAULT_RECORDING_VIEWERS, LIMITS, roleSchema, type Role, type RoomInfo, type RoomMode, type UpdateRoomBody } from '@nomades/shared';
import type { NewRoom, RoomStore, RoomStoreEvents } from './RoomStore.js';

interface RoomRow {
  id: string;
  name: string;
  max_participants: number;
  mode: RoomMode;
  record: number;
  max_screen_shares: number;
  /** JSON array of roles (REC-V1). */
  recording_viewers: string;
  participants_may_invite: number;
  created_at: string;
}

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

const toInfo = (r: RoomRow): RoomInfo => ({
  id: r.id,
  name: r.name,
  maxParticipants: r.max_participants,
  mode: r.mode,
  record: r.record === 1,
  maxScreenShares: r.max_screen_shares,
  recordingViewers: viewersOf(r.recording_viewers),
  participantsMayInvite: r.participants_may_invite === 1,
  createdAt: r.created_at,
});

/** Schema migrations, applied in order; PRAGMA user_version records how many ran. */
const MIGRATIONS = [
  `CREATE TABLE rooms (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     max_participants INTEGER NOT NULL,
     mode TEXT NOT NULL DEFAULT 'meeting',
     record INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL
   )`,
  `ALTER TABLE rooms ADD COLUMN max_screen_shares INTEGER NOT NULL DEFAULT 1`,
  `ALTER TABLE rooms ADD COLUMN recording_viewers TEXT NOT NULL DEFAULT '["host"]';
   ALTER TABLE rooms ADD COLUMN participants_may_invite INTEGER NOT NULL DEFAULT 0`,
];

/** Rooms in DATA_DIR/nomades.db (better-sqlite3, WAL). */
export class SqliteRoomStore extends EventEmitter<RoomStoreEvents> implements RoomStore {
  readonly #db: Database.Database;

  constructor(dataDir: string) {
    super();
    this.#db = openDatabase(dataDir, 'nomades.db', MIGRATIONS);
  }

  create(room: NewRoom): RoomInfo {
    const row: RoomRow = {
      id: room.id,
      name: room.name,
      max_participants: room.maxParticipants,
      mode: room.mode,
      record: room.record ? 1 : 0,
      max_screen_shares: room.maxScreenShares ?? LIMITS.defaultMaxScreenShares,
      recording_viewers: JSON.stringify(room.recordingViewers ?? DEFAULT_RECORDING_VIEWERS),
      participants_may_invite: room.participantsMayInvite ? 1 : 0,
      created_at: new Date().toISOString(),
    };
    this.#db
      .prepare(
        `INSERT INTO rooms (id, name, max_participants, mode, record, max_screen_shares, recording_viewers, participants_may_invite, created_at)
         VALUES (@id, @name, @max_participants, @mode, @record, @max_screen_shares, @recording_viewers, @participants_may_invite, @created_at)`,
      )
      .run(row);
    return toInfo(row);
  }

  get(id: string): RoomInfo | undefined {
    const row = this.#db.prepare('SELECT * FROM rooms WHERE id = ?').get(id) as RoomRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  list(): RoomInfo[] {
    return (this.#db.prepare('SELECT * FROM rooms ORDER BY created_at').all() as RoomRow[]).map(toInfo);
  }

  update(id: string, patch: UpdateRoomBody): RoomInfo | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    const next: RoomInfo = { ...current, ...patch };
    this.#db
      .prepare(
        `UPDATE rooms SET name = ?, max_participants = ?, record = ?, max_screen_shares = ?, recording_viewers = ?,
         participants_may_invite = ? WHERE id = ?`,
      )
      .run(next.name, next.maxParticipants, next.record ? 1 : 0, next.maxScreenShares, JSON.stringify(next.recordingViewers), next.participantsMayInvite ? 1 : 0, id);
    this.emit('updated', next);
    return next;
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM rooms WHERE id = ?').run(id).changes === 1;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
