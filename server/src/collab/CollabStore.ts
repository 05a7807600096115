import * as Y from 'yjs';
import type { DocumentStore } from '../store/DocumentStore.js';
import { KeyedChain } from '../store/KeyedChain.js';

/** Transaction origin of updates applied while loading: they are already stored. */
export const LOAD_ORIGIN = Symbol('collab-load');

/**
 * Yjs documents over the store layer's DocumentStore. Every update is appended as it is applied
 * (`append`), on a write chain per document that keeps their order; CollabServer waits for a
 * document's chain (`stored`) before it acknowledges, so a restart loses nothing that was
 * acknowledged. `compact` replaces a document's log by one state, atomically, on the same chain.
 * A load that fails throws and writes nothing: stored data is never replaced by an empty document.
 */
export class CollabStore {
  readonly #documents: DocumentStore;
  /** Approximate stored size of each loaded document: its state plus the updates logged since. */
  readonly #sizes = new Map<string, number>();
  /** The last write of each document with writes in flight; a write starts after the one before. */
  readonly #chains = new KeyedChain();
  #closed = false;

  constructor(documents: DocumentStore) {
    this.#documents = documents;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Applies the stored state and updates of `name` to `doc` (origin LOAD_ORIGIN); rejects if any is unreadable. */
  async loadInto(name: string, doc: Y.Doc): Promise<void> {
    await this.stored(name);
    this.#sizes.set(name, await this.#apply(name, doc));
  }

  async #apply(name: string, doc: Y.Doc): Promise<number> {
    const stored = await this.#documents.read(name);
    let size = 0;
    doc.transact(() => {
      if (stored.state) {
        Y.applyUpdate(doc, stored.state, LOAD_ORIGIN);
        size += stored.state.byteLength;
      }
      for (const u of stored.updates) {
        Y.applyUpdate(doc, u, LOAD_ORIGIN);
        size += u.byteLength;
      }
    }, LOAD_ORIGIN);
    return size;
  }

  /**
   * Appends one applied update, after the document's writes before it. Counted at once (the size
   * limit judges the next update with it); the returned promise rejects when the write failed.
   */
  append(name: string, update: Uint8Array): Promise<void> {
    this.#sizes.set(name, (this.#sizes.get(name) ?? 0) + update.byteLength);
    return this.#chain(name, () => this.#documents.append(name, update));
  }

  /** Replaces the log of `name` by the full state of `doc` (encoded now), after the writes before it. */
  compact(name: string, doc: Y.Doc): Promise<void> {
    const state = Y.encodeStateAsUpdate(doc);
    return this.#chain(name, async () => {
      await this.#documents.compact(name, state);
      this.#sizes.set(name, state.byteLength);
    });
  }

  /** Settles when every write of `name` queued so far has ended (never rejects: failures are their callers'). */
  async stored(name: string): Promise<void> {
    await this.#chains.idle(name);
  }

  /** Number of updates logged for `name` since its last compaction (after its queued writes). */
  async pendingUpdates(name: string): Promise<number> {
    await this.stored(name);
    return this.#documents.pendingUpdates(name);
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
  documentNames(): Promise<string[]> {
    return this.#documents.names();
  }

  /** A detached copy of a stored document, for reading (the admin API). */
  async read(name: string): Promise<Y.Doc> {
    await this.stored(name);
    const doc = new Y.Doc();
    try {
      await this.#apply(name, doc);
    } catch (error) {
      doc.destroy();
      throw error;
    }
    return doc;
  }

  /**
   * Changes a stored document that is not loaded (RET-2/RET-3): read, `change`d and compacted on
   * its write chain, so that a load that follows reads the result. `change` returns how many
   * entries it changed (nothing is written for 0).
   */
  rewrite(name: string, change: (doc: Y.Doc) => number): Promise<number> {
    return this.#chain(name, async () => {
      const copy = new Y.Doc();
      try {
        await this.#apply(name, copy);
        const changed = change(copy);
        if (changed > 0) await this.#documents.compact(name, Y.encodeStateAsUpdate(copy));
        return changed;
      } finally {
        copy.destroy();
      }
    });
  }

  /** Removes a document, its state and its log (ROOM-7), after its queued writes; unload it first. */
  async delete(name: string): Promise<void> {
    await this.#chain(name, () => this.#documents.delete(name));
    this.#sizes.delete(name);
  }

  /** Waits for every queued write, then refuses new ones (the database is the server's to close). */
  async close(): Promise<void> {
    await this.#chains.allIdle();
    this.#closed = true;
  }

  #chain<T>(name: string, write: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the collaboration store is closed'));
    return this.#chains.run(name, write);
  }
}
