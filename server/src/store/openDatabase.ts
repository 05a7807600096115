import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE, privateDir } from '../config/privateDir.js';

/**
 * Opens (or creates) an SQLite file under dataDir in WAL mode and brings its schema up to date:
 * `migrations[i]` runs once, when the file's `user_version` is i, all in one transaction.
 * The folder is 0700 and the file 0600 (FILE-1); SQLite gives its -wal and -shm files the
 * database file's mode.
 */
export function openDatabase(dataDir: string, fileName: string, migrations: readonly string[]): Database.Database {
  privateDir(dataDir);
  const file = path.join(dataDir, fileName);
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let i = version; i < migrations.length; i++) db.exec(migrations[i]);
    db.pragma(`user_version = ${migrations.length}`);
  })();
  return db;
}
