import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Tables } from './Tables.js';

/** The SQLite files of versions before the one store layer, and the tables each held. */
export const LEGACY_FILES: ReadonlyArray<{ file: string; tables: ReadonlyArray<keyof Tables> }> = [
  { file: 'moderation.db', tables: ['room_flags', 'bans', 'roles', 'media_locks', 'flagged_addresses'] },
  { file: 'invites.db', tables: ['invites'] },
  { file: 'recordings.db', tables: ['recordings'] },
  { file: 'collab.db', tables: ['collab_documents', 'collab_updates'] },
];

/** What an imported file is renamed to (kept, not deleted: the operator removes it). */
export const IMPORTED_SUFFIX = '.imported';

/**
 * Imports the rows of the older files of DATA_DIR into nomades.db, once: each file's rows in one
 * transaction, rows already there kept (INSERT OR IGNORE on their keys, so an import cut short
 * runs again whole), then the file renamed `*.imported`. SQLite only.
 */
export async function importLegacyFiles(db: Kysely<Tables>, dataDir: string): Promise<string[]> {
  const imported: string[] = [];
  for (const { file, tables } of LEGACY_FILES) {
    const source = path.join(dataDir, file);
    if (!fs.existsSync(source)) continue;
    settle(source);
    await db.connection().execute(async (conn) => {
      await sql`ATTACH DATABASE ${source} AS legacy`.execute(conn);
      try {
        await conn.transaction().execute(async (trx) => {
          for (const table of tables) {
            const columns = (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}, 'legacy')`.execute(trx)).rows.map((r) => r.name);
            if (columns.length === 0) continue; // a file that never held this table
            const list = sql.join(columns.map((c) => sql.ref(c)));
            await sql`INSERT OR IGNORE INTO main.${sql.table(table)} (${list}) SELECT ${list} FROM legacy.${sql.table(table)}`.execute(trx);
          }
        });
      } finally {
        await sql`DETACH DATABASE legacy`.execute(conn);
      }
    });
    fs.renameSync(source, source + IMPORTED_SUFFIX);
    imported.push(file);
  }
  return imported;
}

/** Folds the file's write-ahead log into it, so that the file alone holds every row (and can be renamed). */
function settle(file: string): void {
  const legacy = new Sqlite(file);
  try {
    legacy.pragma('wal_checkpoint(TRUNCATE)');
    legacy.pragma('journal_mode = DELETE');
  } finally {
    legacy.close();
  }
  for (const extra of ['-wal', '-shm']) fs.rmSync(file + extra, { force: true });
}
