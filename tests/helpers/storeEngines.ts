import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../server/src/store/Store.js';
import { Postgres } from './Postgres.js';

export type EngineName = 'sqlite' | 'postgres';

/**
 * Both engines of the store layer for a test file: a fresh SQLite DATA_DIR or a fresh PostgreSQL
 * database per test, on one throw-away cluster per file (started on first use, closed by close()).
 */
export class StoreEngines {
  readonly names: readonly EngineName[] = ['sqlite', 'postgres'];
  #postgres?: Promise<Postgres>;
  readonly #dirs: string[] = [];

  /** A fresh location for `engine`: { dataDir, databaseUrl? }. */
  async location(engine: EngineName): Promise<{ dataDir: string; databaseUrl?: string }> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-store-'));
    this.#dirs.push(dataDir);
    if (engine === 'sqlite') return { dataDir };
    this.#postgres ??= Postgres.start();
    return { dataDir, databaseUrl: await (await this.#postgres).database() };
  }

  /** Runs `fn` on a freshly opened store of `engine`, and closes it. */
  async with(engine: EngineName, fn: (store: Store, where: { dataDir: string; databaseUrl?: string }) => Promise<void>): Promise<void> {
    const where = await this.location(engine);
    const store = await Store.open(where);
    try {
      await fn(store, where);
    } finally {
      await store.close();
    }
  }

  async close(): Promise<void> {
    for (const dir of this.#dirs) fs.rmSync(dir, { recursive: true, force: true });
    if (this.#postgres) (await this.#postgres.catch(() => undefined))?.close();
  }
}
