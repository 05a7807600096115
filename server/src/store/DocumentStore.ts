/** What is stored of one Yjs document: its last compacted state and the updates logged since, in order. */
export interface StoredDocument {
  state?: Uint8Array;
  updates: Uint8Array[];
}

/**
 * Yjs documents as bytes (KyselyDocumentStore): a compacted state per name and a log of updates
 * appended since. Knows nothing of Yjs: collab/CollabStore applies and encodes.
 */
export interface DocumentStore {
  read(name: string): Promise<StoredDocument>;
  append(name: string, update: Uint8Array): Promise<void>;
  /** Replaces the state of `name` and drops its log, atomically. */
  compact(name: string, state: Uint8Array): Promise<void>;
  /** Number of updates logged for `name` since its last compaction. */
  pendingUpdates(name: string): Promise<number>;
  /** The names of every stored document. */
  names(): Promise<string[]>;
  /** Removes a document, its state and its log. */
  delete(name: string): Promise<void>;
}
