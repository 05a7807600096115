import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RoomInfo } from '@nomades/shared';
import type { NewRoom, RoomStore } from './RoomStore.js';

interface RoomRow {
  id: string;
  name: string;
  max_participants: number;
  created_at: string;
}

const toInfo = (r: RoomRow): RoomInfo => ({
  id: r.id,
  name: r.name,
  maxParticipants: r.max_participants,
  createdAt: r.created_at,
});

/** Rooms in DATA_DIR/nomades.db (better-sqlite3, WAL). */
export class SqliteRoomStore implements RoomStore {
  readonly #db: Database.Database;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(path.join(dataDir, 'nomades.db'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS rooms (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      max_participants INTEGER NOT NULL,
      created_at TEXT NOT NULL
    )`);
  }

  create(room: NewRoom): RoomInfo {
    const row: RoomRow = {
      id: room.id,
      name: room.name,
      max_participants: room.maxParticipants,
      created_at: new Date().toISOString(),
    };
    this.#db
      .prepare('INSERT INTO rooms (id, name, max_participants, created_at) VALUES (@id, @name, @max_participants, @created_at)')
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

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
