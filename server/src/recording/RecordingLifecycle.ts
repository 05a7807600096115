import { EventEmitter } from 'node:events';
import { AppError, type RecordingInfo, type RecordingReport, type RecordingStatus } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RecordingPatch, RecordingStore } from './RecordingStore.js';

/**
 * RS-1…RS-6 (recorder/README.md, "A recording's states"): the only moves a recording's status
 * makes. `recording` → `processing` (the recorder composes) → `ready` | `failed`; `recording` →
 * `failed` (no recorder took it, REC-11; or nothing was captured); `failed` | `ready` →
 * `processing` only by an operator's recompose (RS-5).
 */
const MOVES: Record<RecordingStatus, readonly RecordingStatus[]> = {
  recording: ['processing', 'ready', 'failed'],
  processing: ['ready', 'failed'],
  ready: [],
  failed: [],
};

export type RecordingLifecycleEvents = {
  /** A recording's status changed (webhooks, the room's hosts, metrics). */
  changed: [info: RecordingInfo, from: RecordingStatus];
};

/**
 * The one owner of a recording's state (RS-1…RS-6): the row in the store changes only here, every
 * change of status is checked against the moves above and emitted once. The recorder's reports,
 * the start watchdog (REC-11), the session's end and an operator's recompose all come through it.
 */
export class RecordingLifecycle extends EventEmitter<RecordingLifecycleEvents> {
  readonly store: RecordingStore;
  readonly #log: Logger;

  constructor(store: RecordingStore, log: Logger) {
    super();
    this.store = store;
    this.#log = log;
  }

  /** RS-1: a session started recording. */
  started(id: string, roomId: string, startedAt: string): RecordingInfo {
    return this.store.create(id, roomId, startedAt);
  }

  /** The session ended (room empty, flag off, server closing): the time is kept, the status is the recorder's to move. */
  sessionEnded(id: string): void {
    this.store.update(id, { endedAt: new Date().toISOString() });
  }

  /**
   * A recorder's report (RS-3): progress and figures are kept while the move is allowed; a status
   * the current one cannot move to (a late report after `failed`, a progress after `ready`) is
   * dropped, its note kept.
   */
  report(id: string, report: RecordingReport): RecordingInfo | undefined {
    const { note, ...patch } = report;
    const current = this.store.get(id);
    if (!current) return undefined;
    if (current.status === 'ready' || current.status === 'failed') {
      if (note) this.store.addNote(id, note);
      return current;
    }
    if (patch.status === current.status) delete patch.status;
    if (patch.status && !MOVES[current.status].includes(patch.status)) {
      this.#log.warn({ recording: id, from: current.status, to: patch.status }, 'a report asked for a move a recording cannot make; ignored');
      delete patch.status;
    }
    return this.#apply(current, patch, note);
  }

  /** RS-2 / REC-11: the recording failed before a recorder reported anything final. False when it already ended. */
  fail(id: string, error: string): boolean {
    const current = this.store.get(id);
    if (!current || !MOVES[current.status].includes('failed')) return false;
    this.#apply(current, { status: 'failed', error, endedAt: current.endedAt ?? new Date().toISOString() });
    return true;
  }

  /**
   * RS-5: an operator composes a finished recording again from its kept tracks. Only `failed` or
   * `ready` may; the error is cleared and the progress starts again.
   */
  recompose(id: string): RecordingInfo {
    const current = this.store.get(id);
    if (!current) throw new AppError('NOT_FOUND', 'no such recording');
    if (current.status !== 'failed' && current.status !== 'ready') {
      throw new AppError('CONFLICT', `the recording is still ${current.status}`, { status: current.status });
    }
    return this.#apply(current, { status: 'processing', progress: 0, error: null }, `composed again at ${new Date().toISOString()} (recompose)`)!;
  }

  #apply(current: RecordingInfo, patch: RecordingPatch, note?: string): RecordingInfo | undefined {
    // COMP-7: a finished (or restarted) recording waits for nothing.
    if (patch.status) patch.queuePosition = null;
    const info = this.store.update(current.id, patch);
    if (note) this.store.addNote(current.id, note);
    const after = note ? this.store.get(current.id) : info;
    if (after && after.status !== current.status) {
      this.#log.info({ recording: current.id, room: current.roomId, from: current.status, status: after.status, error: after.error }, 'recording status');
      this.emit('changed', after, current.status);
    }
    return after;
  }
}
