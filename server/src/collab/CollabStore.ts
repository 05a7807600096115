import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';

/** Transaction origin of updates applied while loading: they are already stored. */
export const LOAD_ORIGIN = Symbol('collab-load');

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS collab_documents (
    name TEXT PRIMARY KEY,
    state BLOB NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS collab_updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS collab_updates_name ON collab_updates (name, seq);
`;

/**
 * Yjs documents in DATA_DIR/collab.db (better-sqlite3, WAL). Every update is appended
 * synchronously as it is applied, before the client is acknowledged (`append`), so a restart
 * loses nothing that was acknowledged. `compact` replaces a document's log by one state, in one
 * SQLite transaction. A load that fails throws and writes nothing: stored data is never
 * replaced by an empty document.
 */
export class CollabStore {
  readonly #db: Database.Database;
  readonly #insertUpdate: Database.Statement;
  /** Approximate stored size of each loaded document: its state plus the updates logged since. */
  readonly #sizes = new Map<string, number>();

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(path.join(dataDir, 'collab.db'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#insertUpdate = this.#db.prepare('INSERT INTO collab_updates (name, data) VALUES (?, ?)');
  }

  get closed(): boolean {
    return !this.#db.open;
  }

  /** Applies the stored state and updates of `name` to `doc` (origin LOAD_ORIGIN); throws if any is unreadable. */
  loadInto(name: string, doc: Y.Doc): void {
    this.#sizes.set(name, this.#apply(name, doc));
  }

  #apply(name: string, doc: Y.Doc): number {
    const row = this.#db.prepare('SELECT state FROM collab_documents WHERE name = ?').get(name) as { state: Buffer } | undefined;
    const updates = this.#db.prepare('SELECT data FROM collab_updates WHERE name = ? ORDER BY seq').all(name) as { data: Buffer }[];
    let size = 0;
    doc.transact(() => {
      if (row) {
        Y.applyUpdate(doc, row.state, LOAD_ORIGIN);
        size += row.state.byteLength;
      }
      for (const u of updates) {
        Y.applyUpdate(doc, u.data, LOAD_ORIGIN);
        size += u.data.byteLength;
      }
    }, LOAD_ORIGIN);
    return size;
  }

  /** Appends one applied update (synchronous: on disk before the sender is acknowledged). */
  append(name: string, update: Uint8Array): void {
    this.#insertUpdate.run(name, update);
    this.#sizes.set(name, (this.#sizes.get(name) ?? 0) + update.byteLength);
  }

  /** Replaces the log of `name` by the full state of `doc` (a loaded document), atomically. */
  compact(name: string, doc: Y.Doc): void {
    const state = Y.encodeStateAsUpdate(doc);
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO collab_documents (name, state, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        )
        .run(name, state, new Date().toISOString());
      this.#db.prepare('DELETE FROM collab_updates WHERE name = ?').run(name);
    })();
    this.#sizes.set(name, state.byteLength);
  }

  /** Number of updates logged for `name` since its last compaction. */
  pendingUpdates(name: string): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM collab_updates WHERE name = ?').get(name) as { n: number }).n;
  }

  /** Approximate size in bytes of a loaded document (state + logged updates). */
  sizeOf(name: string): number {
    return this.#sizes.get(name) ?? 0;
  }

  /** Forgets the size of an unloaded document. */
  unloaded(name: string): void {
    this.#sizes.delete(name);
  }

  /** The names of every stored document (the retention sweep's list, RET-2). */
  documentNames(): string[] {
    const rows = this.#db.prepare('SELECT name FROM collab_documents UNION SELECT DISTINCT name FROM collab_updates').all() as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** A detached copy of a stored document, for reading (the admin API). */
  read(name: string): Y.Doc {
    const doc = new Y.Doc();
    this.#apply(name, doc);
    return doc;
  }

  /** Removes a document, its state and its log (ROOM-7); unload it first. */
  delete(name: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM collab_documents WHERE name = ?').run(name);
      this.#db.prepare('DELETE FROM collab_updates WHERE name = ?').run(name);
    })();
    this.#sizes.delete(name);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
