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
}

/**
 * Recording metadata (KyselyRecordingStore); the files are RecordingDisk's. Only
 * RecordingLifecycle changes a recording's status.
 */
export interface RecordingStore {
  create(id: string, roomId: string, startedAt: string): Promise<RecordingInfo>;
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
}
