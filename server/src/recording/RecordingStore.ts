import type Database from 'better-sqlite3';
import { openDatabase } from '../store/openDatabase.js';
import type { RecordingInfo, RecordingStatus } from '@nomades/shared';

interface RecordingRow {
  id: string;
  room_id: string;
  status: RecordingStatus;
  started_at: string;
  ended_at: string | null;
  duration_ms: number;
  size_bytes: number;
  progress: number;
  error: string | null;
  note: string | null;
  queue_position: number | null;
}

const toInfo = (r: RecordingRow): RecordingInfo => ({
  id: r.id,
  roomId: r.room_id,
  status: r.status,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  progress: r.progress,
  ...(r.error ? { error: r.error } : {}),
  ...(r.note ? { note: r.note } : {}),
  ...(r.queue_position !== null && r.queue_position !== undefined ? { queuePosition: r.queue_position } : {}),
});

/** Schema migrations, applied in order; PRAGMA user_version of recordings.db records how many ran. */
const MIGRATIONS = [
  `CREATE TABLE recordings (
     id TEXT PRIMARY KEY,
     room_id TEXT NOT NULL,
     status TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     duration_ms INTEGER NOT NULL DEFAULT 0,
     size_bytes INTEGER NOT NULL DEFAULT 0,
     progress REAL NOT NULL DEFAULT 0,
     error TEXT,
     note TEXT
   );
   CREATE INDEX recordings_room ON recordings (room_id, started_at)`,
  // COMP-7: compositions ahead while it waits for a recorder's slot.
  `ALTER TABLE recordings ADD COLUMN queue_position INTEGER`,
];

export interface RecordingPatch {
  status?: RecordingStatus;
  endedAt?: string;
  durationMs?: number;
  sizeBytes?: number;
  progress?: number;
  /** null clears it (a recompose, RS-5). */
  error?: string | null;
  /** COMP-7; null: not waiting. */
  queuePosition?: number | null;
}

/** Recording metadata in DATA_DIR/recordings.db (better-sqlite3, WAL), beside the rooms' database. */
export class RecordingStore {
  readonly #db: Database.Database;

  constructor(dataDir: string) {
    this.#db = openDatabase(dataDir, 'recordings.db', MIGRATIONS);
  }

  create(id: string, roomId: string, startedAt: string): RecordingInfo {
    this.#db
      .prepare(`INSERT INTO recordings (id, room_id, status, started_at) VALUES (?, ?, 'recording', ?)`)
      .run(id, roomId, startedAt);
    return this.get(id)!;
  }

  get(id: string): RecordingInfo | undefined {
    const row = this.#db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as RecordingRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  listByRoom(roomId: string): RecordingInfo[] {
    return (this.#db.prepare('SELECT * FROM recordings WHERE room_id = ? ORDER BY started_at').all(roomId) as RecordingRow[]).map(toInfo);
  }

  /** How many recordings have each status (the `nomades_recordings` gauge, OPS-2). */
  countByStatus(): Partial<Record<RecordingStatus, number>> {
    const rows = this.#db.prepare('SELECT status, COUNT(*) AS n FROM recordings GROUP BY status').all() as Array<{ status: RecordingStatus; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** RET-1: finished recordings (ready or failed) that ended (or, without an end, started) before `cutoff` (ISO time), oldest first. */
  finishedBefore(cutoff: string): RecordingInfo[] {
    const rows = this.#db
      .prepare(`SELECT * FROM recordings WHERE status IN ('ready', 'failed') AND COALESCE(ended_at, started_at) < ? ORDER BY started_at`)
      .all(cutoff) as RecordingRow[];
    return rows.map(toInfo);
  }

  update(id: string, patch: RecordingPatch): RecordingInfo | undefined {
    const sets: string[] = [];
    const values: unknown[] = [];
    const column = { status: 'status', endedAt: 'ended_at', durationMs: 'duration_ms', sizeBytes: 'size_bytes', progress: 'progress', error: 'error', queuePosition: 'queue_position' } as const;
    for (const [key, name] of Object.entries(column)) {
      const value = patch[key as keyof RecordingPatch];
      if (value !== undefined) {
        sets.push(`${name} = ?`);
        values.push(value);
      }
    }
    if (sets.length > 0) this.#db.prepare(`UPDATE recordings SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id);
  }

  /** Appends a line to what happened (kept short: the last 2000 characters). */
  addNote(id: string, note: string): void {
    const current = this.get(id)?.note;
    const next = (current ? `${current}\n${note}` : note).slice(-2000);
    this.#db.prepare('UPDATE recordings SET note = ? WHERE id = ?').run(next, id);
  }

  delete(id: string): void {
    this.#db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
