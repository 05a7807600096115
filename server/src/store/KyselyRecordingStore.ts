import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { RecordingInfo, RecordingStatus } from '@nomades/shared';
import type { RecordingPatch, RecordingStore, RecordingTakeover } from './RecordingStore.js';
import type { RecordingsTable, Tables } from './Tables.js';

const toInfo = (r: Selectable<RecordingsTable>): RecordingInfo => ({
  id: r.id,
  roomId: r.room_id,
  status: r.status as RecordingStatus,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  durationMs: r.duration_ms,
  sizeBytes: r.size_bytes,
  progress: r.progress,
  ...(r.error ? { error: r.error } : {}),
  ...(r.note ? { note: r.note } : {}),
  ...(r.queue_position !== null && r.queue_position !== undefined ? { queuePosition: r.queue_position } : {}),
  ...(r.node_id ? { nodeId: r.node_id } : {}),
});

/** How much of what happened a recording keeps (its last characters). */
const NOTE_MAX = 2000;

/** Recording metadata in the `recordings` table (StoreDatabase). */
export class KyselyRecordingStore implements RecordingStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async create(id: string, roomId: string, startedAt: string, nodeId?: string): Promise<RecordingInfo> {
    await this.#db
      .insertInto('recordings')
      .values({ id, room_id: roomId, status: 'recording', started_at: startedAt, ended_at: null, error: null, note: null, queue_position: null, node_id: nodeId ?? null })
      .execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<RecordingInfo | undefined> {
    const row = await this.#db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  async listByRoom(roomId: string): Promise<RecordingInfo[]> {
    return (await this.#db.selectFrom('recordings').selectAll().where('room_id', '=', roomId).orderBy('started_at').orderBy('id').execute()).map(toInfo);
  }

  async countByStatus(): Promise<Partial<Record<RecordingStatus, number>>> {
    const rows = await this.#db
      .selectFrom('recordings')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async finishedBefore(cutoff: string): Promise<RecordingInfo[]> {
    const rows = await this.#db
      .selectFrom('recordings')
      .selectAll()
      .where('status', 'in', ['ready', 'failed'])
      .where((eb) => eb(eb.fn.coalesce('ended_at', 'started_at'), '<', cutoff))
      .orderBy('started_at')
      .execute();
    return rows.map(toInfo);
  }

  async update(id: string, patch: RecordingPatch, note?: string): Promise<RecordingInfo | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const set: Updateable<RecordingsTable> = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
      if (patch.durationMs !== undefined) set.duration_ms = patch.durationMs;
      if (patch.sizeBytes !== undefined) set.size_bytes = patch.sizeBytes;
      if (patch.progress !== undefined) set.progress = patch.progress;
      if (patch.error !== undefined) set.error = patch.error;
      if (patch.queuePosition !== undefined) set.queue_position = patch.queuePosition;
      if (patch.nodeId !== undefined) set.node_id = patch.nodeId;
      if (Object.keys(set).length > 0) await trx.updateTable('recordings').set(set).where('id', '=', id).execute();
      if (note) await addNote(trx, id, note);
      const row = await trx.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toInfo(row) : undefined;
    });
  }

  async addNote(id: string, note: string): Promise<void> {
    await this.#db.transaction().execute((trx) => addNote(trx, id, note));
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('recordings').where('id', '=', id).execute();
  }

  async unfinishedNodes(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('recordings')
      .select('node_id')
      .distinct()
      .where('node_id', 'is not', null)
      .where('status', 'in', ['recording', 'processing'])
      .orderBy('node_id')
      .execute();
    return rows.map((r) => r.node_id!);
  }

  async unfinishedOf(nodeId: string): Promise<RecordingInfo[]> {
    const rows = await this.#db
      .selectFrom('recordings')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('status', 'in', ['recording', 'processing'])
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(toInfo);
  }

  async takeOver(id: string, t: RecordingTakeover): Promise<RecordingInfo | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      // The one statement that decides: both engines apply it to a row that still matches, once
      // (PostgreSQL re-checks the WHERE after a concurrent update; SQLite writes one at a time).
      const result = await trx
        .updateTable('recordings')
        .set((eb) => ({
          status: 'processing',
          node_id: t.nodeId,
          ended_at: eb.fn.coalesce('ended_at', eb.val(t.at)),
          progress: 0,
          error: null,
          queue_position: null,
        }))
        .where('id', '=', id)
        .where('node_id', '=', t.deadNodeId)
        .where('status', 'in', ['recording', 'processing'])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      await addNote(trx, id, t.note);
      const row = await trx.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toInfo(row) : undefined;
    });
  }

  async continueOn(id: string, t: RecordingTakeover): Promise<RecordingInfo | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      // As takeOver: the one statement that decides, against takeOver's and other nodes' own.
      const result = await trx
        .updateTable('recordings')
        .set({ node_id: t.nodeId, queue_position: null })
        .where('id', '=', id)
        .where('node_id', '=', t.deadNodeId)
        .where('status', '=', 'recording')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      await addNote(trx, id, t.note);
      const row = await trx.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toInfo(row) : undefined;
    });
  }
}

async function addNote(trx: Transaction<Tables>, id: string, note: string): Promise<void> {
  const current = (await trx.selectFrom('recordings').select('note').where('id', '=', id).executeTakeFirst())?.note;
  const next = (current ? `${current}\n${note}` : note).slice(-NOTE_MAX);
  await trx.updateTable('recordings').set({ note: next }).where('id', '=', id).execute();
}
