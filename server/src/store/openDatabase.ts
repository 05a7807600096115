import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (or creates) an SQLite file under dataDir in WAL mode and brings its schema up to date:
 * `migrations[i]` runs once, when the file's `user_version` is i, all in one transaction.
 */
export function openDatabase(dataDir: string, fileName: string, migrations: readonly string[]): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, fileName));
  db.pragma('journal_mode = WAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let i = version; i < migrations.length; i++) db.exec(migrations[i]);
    db.pragma(`user_version = ${migrations.length}`);
  })();
  return db;
}
