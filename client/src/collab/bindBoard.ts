import {
  InstancePresenceRecordType,
  atom,
  createPresenceStateDerivation,
  react,
  type SerializedSchema,
  type TLInstancePresence,
  type TLRecord,
  type TLStore,
} from 'tldraw';
import { YKeyValue } from 'y-utility/y-keyvalue';
import type * as Y from 'yjs';
import { COLLAB_ROOTS } from '@nomades/shared';
import type { CollabClient } from './CollabClient';

type Presence = { presence?: TLInstancePresence | null };

/**
 * Binds a tldraw store to the room's document, the pattern of tldraw's Yjs example: document-scope
 * records mirrored into a YKeyValue over the `board` array (local user changes go out in one Yjs
 * transaction, remote ones come in through mergeRemoteChanges), the schema in `meta.schema`, and
 * presence (cursor, selection) over awareness. Remote records are validated against the store's
 * schema before they are put: a bad record from someone else is skipped, never crashes the board.
 * Returns the function that unbinds.
 */
export function bindBoard(collab: CollabClient, store: TLStore, readOnly: boolean): () => void {
  const { doc, awareness, user } = collab;
  const yStore = new YKeyValue<TLRecord>(doc.getArray(COLLAB_ROOTS.board));
  const meta = doc.getMap<SerializedSchema>(COLLAB_ROOTS.meta);
  const unsubs: Array<() => void> = [];
  const valid = (record: unknown): record is TLRecord => {
    try {
      store.schema.validateRecord(store, record as TLRecord, 'initialize', null);
      return true;
    } catch (error) {
      console.warn('board: skipped an invalid record from the room', error);
      return false;
    }
  };

  // 1. Initial state: the room's records (migrated to our schema), or ours if the room has none.
  const ourSchema = store.schema.serialize();
  if (yStore.map.size > 0) {
    const records = [...yStore.map.values()].map((entry) => entry.val);
    const migrated = store.schema.migrateStoreSnapshot({
      schema: meta.get('schema') ?? ourSchema,
      store: Object.fromEntries(records.map((r) => [r.id, r])),
    });
    if (migrated.type === 'error') throw new Error(`the board was made by an incompatible version (${migrated.reason})`);
    const current = Object.values(migrated.value).filter(valid);
    store.mergeRemoteChanges(() => {
      store.put(current);
    });
    if (!readOnly && JSON.stringify(meta.get('schema')) !== JSON.stringify(ourSchema)) {
      doc.transact(() => {
        for (const r of current) yStore.set(r.id, r);
        meta.set('schema', ourSchema);
      });
    }
  } else if (!readOnly) {
    doc.transact(() => {
      for (const record of store.allRecords()) yStore.set(record.id, record);
      meta.set('schema', ourSchema);
    });
  }

  // 2. Local user changes → the document.
  unsubs.push(
    store.listen(
      ({ changes }) => {
        if (readOnly) return;
        doc.transact(() => {
          for (const record of Object.values(changes.added)) yStore.set(record.id, record);
          for (const [, record] of Object.values(changes.updated)) yStore.set(record.id, record);
          for (const record of Object.values(changes.removed)) yStore.delete(record.id);
        });
      },
      { source: 'user', scope: 'document' },
    ),
  );

  // 3. Remote changes → the store.
  const onChange = (changes: Map<string, { action: 'add' | 'update' | 'delete' }>, transaction: Y.Transaction): void => {
    if (transaction.local) return;
    const toRemove: TLRecord['id'][] = [];
    const toPut: TLRecord[] = [];
    changes.forEach((change, id) => {
      if (change.action === 'delete') toRemove.push(id as TLRecord['id']);
      else {
        const record = yStore.get(id);
        if (record && valid(record)) toPut.push(record);
      }
    });
    store.mergeRemoteChanges(() => {
      const existing = toRemove.filter((id) => store.has(id));
      if (existing.length) store.remove(existing);
      if (toPut.length) store.put(toPut);
    });
  };
  yStore.on('change', onChange);
  unsubs.push(() => yStore.off('change', onChange));

  // 4. Presence: ours out, the others' in.
  const presenceId = InstancePresenceRecordType.createId(String(doc.clientID));
  const presence$ = createPresenceStateDerivation(atom('user', { id: user.id, name: user.name, color: user.color }), presenceId)(store);
  awareness.setLocalStateField('presence', presence$.get());
  let frame = 0;
  unsubs.push(
    react('publish presence', () => {
      const presence = presence$.get();
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => awareness.setLocalStateField('presence', presence));
    }),
  );
  const applyPresence = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    const states = awareness.getStates() as Map<number, Presence>;
    const toPut: TLInstancePresence[] = [];
    const toRemove: TLInstancePresence['id'][] = [];
    for (const clientId of [...added, ...updated]) {
      if (clientId === doc.clientID) continue;
      const presence = states.get(clientId)?.presence;
      if (presence && presence.id !== presenceId && valid(presence)) toPut.push(presence);
      else toRemove.push(InstancePresenceRecordType.createId(String(clientId)));
    }
    for (const clientId of removed) toRemove.push(InstancePresenceRecordType.createId(String(clientId)));
    store.mergeRemoteChanges(() => {
      const existing = toRemove.filter((id) => store.has(id));
      if (existing.length) store.remove(existing);
      if (toPut.length) store.put(toPut);
    });
  };
  applyPresence({ added: [...awareness.getStates().keys()], updated: [], removed: [] });
  awareness.on('update', applyPresence);
  unsubs.push(() => awareness.off('update', applyPresence));

  return () => {
    cancelAnimationFrame(frame);
    for (const unsub of unsubs) unsub();
    awareness.setLocalStateField('presence', null);
  };
}
