import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './StoreDatabase.js';
import { TABLE_NAMES, type Tables } from './Tables.js';

type TableName = (typeof TABLE_NAMES)[number];

/** The ordering of each table: its key, so that both sides read rows in the same order. */
const ORDER: Record<TableName, string[]> = {
  rooms: ['id'],
  room_flags: ['room_id'],
  bans: ['seq'],
  roles: ['seq'],
  media_locks: ['seq'],
  flagged_addresses: ['seq'],
  invites: ['id'],
  recordings: ['id'],
  collab_documents: ['name'],
  collab_updates: ['seq'],
  room_members: ['seq'],
  auth_logins: ['state_hash'],
  auth_sessions: ['id_hash'],
  auth_logout_jtis: ['jti_hash'],
  polls: ['id'],
  poll_ballots: ['poll_id', 'voter'],
  questions: ['id'],
  question_upvotes: ['question_id', 'identity'],
};

/** Tables whose `seq` comes from a sequence on PostgreSQL: moved past the copied values. */
const SEQ_TABLES = ['bans', 'roles', 'media_locks', 'flagged_addresses', 'collab_updates', 'room_members'] as const;

/** Rows per batch; documents are larger (a state is up to the document size limit). */
const batchOf = (table: TableName): number => (table.startsWith('collab_') ? 20 : 500);

export interface CopyReport {
  /** Rows per table: in the source, in the target after the copy. */
  tables: Array<{ table: TableName; source: number; target: number }>;
  /** SHA-256 of the collab documents (states and logs, in order), on each side. */
  documents: { source: string; target: string };
  /** Every count and the checksum agree. */
  verified: boolean;
}

/**
 * Copies every row of one store database into another (issue #21: a one-node SQLite DATA_DIR
 * into the PostgreSQL of several nodes), table by table in batches, keeping keys and `seq`
 * orders; a row already there is kept (ON CONFLICT DO NOTHING), so the copy can run again. Then
 * verifies: the row count of each table and a checksum of the documents, on both sides.
 */
export class StoreCopy {
  constructor(
    private readonly source: StoreDatabase,
    private readonly target: StoreDatabase,
  ) {}

  async run(): Promise<CopyReport> {
    for (const table of TABLE_NAMES) await this.#copy(table);
    if (this.target.engine === 'postgres') {
      for (const table of SEQ_TABLES) {
        await sql`SELECT setval(pg_get_serial_sequence(${table}, 'seq'), COALESCE((SELECT MAX(seq) FROM ${sql.table(table)}), 0) + 1, false)`.execute(this.target.db);
      }
    }
    return this.verify();
  }

  async verify(): Promise<CopyReport> {
    const tables: CopyReport['tables'] = [];
    for (const table of TABLE_NAMES) tables.push({ table, source: await count(this.source.db, table), target: await count(this.target.db, table) });
    const documents = { source: await checksum(this.source.db), target: await checksum(this.target.db) };
    const verified = tables.every((t) => t.source === t.target) && documents.source === documents.target;
    return { tables, documents, verified };
  }

  async #copy(table: TableName): Promise<void> {
    const from = this.source.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const to = this.target.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (let offset = 0; ; offset += batchOf(table)) {
      let query = from.selectFrom(table).selectAll();
      for (const column of ORDER[table]) query = query.orderBy(column);
      const rows = await query.limit(batchOf(table)).offset(offset).execute();
      if (rows.length === 0) return;
      await to.transaction().execute((trx) => trx.insertInto(table).values(rows).onConflict((oc) => oc.doNothing()).execute());
      if (rows.length < batchOf(table)) return;
    }
  }
}

async function count(db: Kysely<Tables>, table: TableName): Promise<number> {
  const row = await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function checksum(db: Kysely<Tables>): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const r of await db.selectFrom('collab_documents').select(['name', 'state']).orderBy('name').execute()) {
    hash.update(`d\0${r.name}\0`).update(r.state);
  }
  for (const r of await db.selectFrom('collab_updates').select(['name', 'seq', 'data']).orderBy('seq').execute()) {
    hash.update(`u\0${r.name}\0${r.seq}\0`).update(r.data);
  }
  return hash.digest('hex');
}
