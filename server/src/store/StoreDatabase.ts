import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { PRIVATE_FILE_MODE, privateDir } from '../config/privateDir.js';
import { importLegacyFiles } from './importLegacyFiles.js';
import { migrations, type Engine } from './migrations.js';
import type { Tables } from './Tables.js';

export interface StoreDatabaseOptions {
  /** The embedded database is DATA_DIR/nomades.db. */
  dataDir: string;
  /** A postgresql:// URL: PostgreSQL instead of the embedded SQLite (DATABASE_URL). */
  databaseUrl?: string;
}

/** The file of the embedded database, under DATA_DIR. */
export const SQLITE_FILE = 'nomades.db';

/**
 * The one database of the store layer: SQLite (better-sqlite3, WAL) in DATA_DIR/nomades.db, or
 * PostgreSQL (a pg.Pool) when a DATABASE_URL is given, behind one typed Kysely. `open` brings the
 * schema up to date (the migration list), and on SQLite imports the files of older versions once.
 */
export class StoreDatabase {
  readonly db: Kysely<Tables>;
  readonly engine: Engine;
  #closed = false;

  private constructor(db: Kysely<Tables>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  static async open(options: StoreDatabaseOptions): Promise<StoreDatabase> {
    const store = options.databaseUrl ? StoreDatabase.#postgres(options.databaseUrl) : StoreDatabase.#sqlite(options.dataDir);
    try {
      await store.migrate();
      if (store.engine === 'sqlite') await importLegacyFiles(store.db, options.dataDir);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  static #sqlite(dataDir: string): StoreDatabase {
    // FILE-1: folder 0700, file 0600; SQLite gives its -wal and -shm files the database file's mode.
    privateDir(dataDir);
    const file = path.join(dataDir, SQLITE_FILE);
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
    fs.chmodSync(file, PRIVATE_FILE_MODE);
    const database = new Sqlite(file);
    database.pragma('journal_mode = WAL');
    return new StoreDatabase(new Kysely<Tables>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
  }

  static #postgres(url: string): StoreDatabase {
    // Bounded in time: a database cut off (no refusal, no answer) fails a join with UNAVAILABLE
    // within seconds instead of holding it (storeErrors.ts maps these to UNAVAILABLE).
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5_000,
      query_timeout: 10_000,
      statement_timeout: 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      types: { getTypeParser: numericInt8 },
    });
    // An idle client's error (the server restarted) is the pool's to replace, not a crash.
    pool.on('error', () => undefined);
    return new StoreDatabase(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
  }

  /** Runs the migrations not run yet, in order; throws the first failure (the start fails). */
  async migrate(): Promise<void> {
    const list = migrations(this.engine);
    const provider: MigrationProvider = { getMigrations: async () => list };
    const { error, results } = await new Migrator({ db: this.db, provider }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}

/** int8 (COUNT, bigint columns) read as numbers: sizes and times stay far below 2^53. */
function numericInt8(oid: number, format?: string): (value: string) => unknown {
  if (oid === 20) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format as 'text');
}
