import type { RecordingInfo, RecordingStatus } from '@nomades/shared';

export interface RecordingPatch {
  status?: RecordingStatus;
  endedAt?: string;
  durationMs?: number;
  sizeBytes?: number;
  progress?: number;
  /** null clears it (a recompose, RS-5). */
  error?: string | null;
  /** COMP-7; null: not waiting. */
  queuePosition?: number | null;
  /** NODE-REC-1: the node whose queue now holds its job (a recompose queued elsewhere). */
  nodeId?: string;
}

/** NODE-REC-1: what a survivor writes when it takes over a dead node's recording. */
export interface RecordingTakeover {
  deadNodeId: string;
  nodeId: string;
  /** When the death was learned (ISO): the recording's end if it had none. */
  at: string;
  note: string;
}

/**
 * Recording metadata (KyselyRecordingStore); the files are RecordingDisk's. Only
 * RecordingLifecycle changes a recording's status.
 */
export interface RecordingStore {
  /** `nodeId`: with several nodes, the node that records it (NODE-REC-1). */
  create(id: string, roomId: string, startedAt: string, nodeId?: string): Promise<RecordingInfo>;
  get(id: string): Promise<RecordingInfo | undefined>;
  listByRoom(roomId: string): Promise<RecordingInfo[]>;
  /** How many recordings have each status (the `nomades_recordings` gauge, OPS-2). */
  countByStatus(): Promise<Partial<Record<RecordingStatus, number>>>;
  /** RET-1: finished recordings (ready or failed) that ended (or, without an end, started) before `cutoff` (ISO time), oldest first. */
  finishedBefore(cutoff: string): Promise<RecordingInfo[]>;
  /** Applies `patch`, then appends `note` to what happened (kept short), in one transaction; the row after. */
  update(id: string, patch: RecordingPatch, note?: string): Promise<RecordingInfo | undefined>;
  /** Appends a line to what happened (kept short: the last 2000 characters). */
  addNote(id: string, note: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** NODE-REC-1: the nodes that have recordings `recording` or `processing` (a start's sweep). */
  unfinishedNodes(): Promise<string[]>;
  /** NODE-REC-1: the recordings a node left unfinished (`recording` or `processing`), oldest first. */
  unfinishedOf(nodeId: string): Promise<RecordingInfo[]>;
  /**
   * NODE-REC-1: one conditional update (`… WHERE id = ? AND node_id = <dead> AND status IN
   * ('recording', 'processing')`): the recording becomes `processing` on `nodeId`, its note says
   * so. The row after when this call changed it; undefined when another survivor (or nobody
   * left to take it) got there first. Of several survivors calling at once, exactly one gets a row.
   */
  takeOver(id: string, takeover: RecordingTakeover): Promise<RecordingInfo | undefined>;
  /**
   * NODE-REC-2: one conditional update (`… WHERE id = ? AND node_id = <dead> AND status =
   * 'recording'`): the recording stays `recording`, now on `nodeId` (whose recorder resumes it);
   * its note says so. The row after when this call changed it; undefined when a survivor took it
   * over for composing (or another node continued it) first. Exactly one of these calls and of
   * takeOver's on the same row gets a row.
   */
  continueOn(id: string, takeover: RecordingTakeover): Promise<RecordingInfo | undefined>;
}
