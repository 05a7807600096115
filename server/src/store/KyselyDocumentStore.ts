import type { Kysely, Transaction } from 'kysely';
import type { DocumentStore, StoredDocument } from './DocumentStore.js';
import type { Tables } from './Tables.js';

/** Bytes as the drivers bind them (better-sqlite3 and pg take a Buffer), without a copy. */
const bytes = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** Yjs documents in the collab_documents and collab_updates tables (StoreDatabase). */
export class KyselyDocumentStore implements DocumentStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async read(name: string): Promise<StoredDocument> {
    // One transaction: a compaction between the two reads would lose the log it folded in.
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('collab_documents').select('state').where('name', '=', name).executeTakeFirst();
      const updates = await trx.selectFrom('collab_updates').select('data').where('name', '=', name).orderBy('seq').execute();
      return { ...(row ? { state: row.state } : {}), updates: updates.map((u) => u.data) };
    });
  }

  async append(name: string, update: Uint8Array): Promise<void> {
    await this.#db.insertInto('collab_updates').values({ name, data: bytes(update) }).execute();
  }

  async compact(name: string, state: Uint8Array): Promise<void> {
    const updatedAt = new Date().toISOString();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('collab_documents')
        .values({ name, state: bytes(state), updated_at: updatedAt })
        .onConflict((oc) => oc.column('name').doUpdateSet({ state: bytes(state), updated_at: updatedAt }))
        .execute();
      await trx.deleteFrom('collab_updates').where('name', '=', name).execute();
    });
  }

  async pendingUpdates(name: string): Promise<number> {
    const row = await this.#db
      .selectFrom('collab_updates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async names(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('collab_documents')
      .select('name')
      .union(this.#db.selectFrom('collab_updates').select('name'))
      .execute();
    return rows.map((r) => r.name);
  }

  async delete(name: string): Promise<void> {
    await this.#db.transaction().execute((trx) => deleteDocument(trx, name));
  }
}

/** Removes a document's state and log (also inside Store.deleteRoomRows' transaction). */
export async function deleteDocument(trx: Transaction<Tables>, name: string): Promise<void> {
  await trx.deleteFrom('collab_documents').where('name', '=', name).execute();
  await trx.deleteFrom('collab_updates').where('name', '=', name).execute();
}
