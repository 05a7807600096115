import { EventEmitter } from 'node:events';
import { AppError, type RecordingInfo, type RecordingReport, type RecordingStatus } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RecordingPatch, RecordingStore, RecordingTakeover } from '../store/RecordingStore.js';
import { KeyedChain } from '../store/KeyedChain.js';

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
  /** NODE-REC-1: this node, with several nodes: the recordings it starts or composes carry it. */
  readonly #nodeId?: string;
  /** The step in progress of each recording: a recording's reads and writes never interleave. */
  readonly #steps = new KeyedChain();

  constructor(store: RecordingStore, log: Logger, nodeId?: string) {
    super();
    this.store = store;
    this.#log = log;
    this.#nodeId = nodeId;
  }

  /** RS-1: a session started recording (on this node: NODE-REC-1). */
  started(id: string, roomId: string, startedAt: string): Promise<RecordingInfo> {
    return this.#serial(id, () => this.store.create(id, roomId, startedAt, this.#nodeId));
  }

  /** The session ended (room empty, flag off, server closing): the time is kept, the status is the recorder's to move. */
  async sessionEnded(id: string): Promise<void> {
    await this.#serial(id, () => this.store.update(id, { endedAt: new Date().toISOString() }));
  }

  /**
   * A recorder's report (RS-3): progress and figures are kept while the move is allowed; a status
   * the current one cannot move to (a late report after `failed`, a progress after `ready`) is
   * dropped, its note kept.
   */
  report(id: string, report: RecordingReport): Promise<RecordingInfo | undefined> {
    return this.#serial(id, async () => {
      const { note, ...patch } = report;
      const current = await this.store.get(id);
      if (!current) return undefined;
      if (current.status === 'ready' || current.status === 'failed') {
        if (note) await this.store.addNote(id, note);
        return current;
      }
      // NODE-REC-1: another node took the recording over (this one was thought dead); its job is
      // that node's now, and a late report of this node's recorder moves nothing.
      if (this.#nodeId && current.nodeId && current.nodeId !== this.#nodeId) {
        this.#log.warn({ recording: id, owner: current.nodeId, status: patch.status }, 'a report of a recording another node took over; ignored');
        if (note) await this.store.addNote(id, `(node ${this.#nodeId}, no longer its node) ${note}`);
        return current;
      }
      if (patch.status === current.status) delete patch.status;
      if (patch.status && !MOVES[current.status].includes(patch.status)) {
        this.#log.warn({ recording: id, from: current.status, to: patch.status }, 'a report asked for a move a recording cannot make; ignored');
        delete patch.status;
      }
      return this.#apply(current, patch, note);
    });
  }

  /** RS-2 / REC-11: the recording failed before a recorder reported anything final. False when it already ended. */
  fail(id: string, error: string): Promise<boolean> {
    return this.#serial(id, async () => {
      const current = await this.store.get(id);
      if (!current || !MOVES[current.status].includes('failed')) return false;
      await this.#apply(current, { status: 'failed', error, endedAt: current.endedAt ?? new Date().toISOString() });
      return true;
    });
  }

  /**
   * RS-5: an operator composes a finished recording again from its kept tracks. Only `failed` or
   * `ready` may; the error is cleared and the progress starts again.
   */
  recompose(id: string): Promise<RecordingInfo> {
    return this.#serial(id, async () => {
      const current = await this.store.get(id);
      if (!current) throw new AppError('NOT_FOUND', 'no such recording');
      if (current.status !== 'failed' && current.status !== 'ready') {
        throw new AppError('CONFLICT', `the recording is still ${current.status}`, { status: current.status });
      }
      // NODE-REC-1: the compose job goes to this node's queue: the recording is this node's now.
      const patch: RecordingPatch = { status: 'processing', progress: 0, error: null, ...(this.#nodeId ? { nodeId: this.#nodeId } : {}) };
      return (await this.#apply(current, patch, `composed again at ${new Date().toISOString()} (recompose)`))!;
    });
  }

  /**
   * NODE-REC-1: a survivor takes over a recording its dead node left `recording` or `processing`:
   * one conditional update decides (RecordingStore.takeOver), so of several survivors exactly
   * one gets the row back; the others get undefined and do nothing.
   */
  takeOver(id: string, takeover: RecordingTakeover): Promise<RecordingInfo | undefined> {
    return this.#serial(id, async () => {
      const before = await this.store.get(id);
      const after = await this.store.takeOver(id, takeover);
      if (!after || !before) return after;
      this.#log.info({ recording: id, room: after.roomId, from: before.status, status: after.status, dead: takeover.deadNodeId }, 'recording taken over from a dead node');
      if (before.status !== after.status) this.emit('changed', after, before.status);
      return after;
    });
  }

  /**
   * NODE-REC-2: the room of a recording its dead node left `recording` reopened on this node,
   * whose recorder resumes it: one conditional update (RecordingStore.continueOn) decides against
   * a survivor's takeOver, so that a recording is continued or composed, never both. The status
   * stays `recording` (no `changed`); undefined when it was taken or continued first.
   */
  continueOn(id: string, takeover: RecordingTakeover): Promise<RecordingInfo | undefined> {
    return this.#serial(id, async () => {
      const after = await this.store.continueOn(id, takeover);
      if (after) this.#log.info({ recording: id, room: after.roomId, dead: takeover.deadNodeId, node: takeover.nodeId }, 'recording continued on this node after its node died');
      return after;
    });
  }

  async #apply(current: RecordingInfo, patch: RecordingPatch, note?: string): Promise<RecordingInfo | undefined> {
    // COMP-7: a finished (or restarted) recording waits for nothing.
    if (patch.status) patch.queuePosition = null;
    const after = await this.store.update(current.id, patch, note);
    if (after && after.status !== current.status) {
      this.#log.info({ recording: current.id, room: current.roomId, from: current.status, status: after.status, error: after.error }, 'recording status');
      this.emit('changed', after, current.status);
    }
    return after;
  }

  /**
   * Runs `step` after the recording's step in progress: a check of the status and the move it
   * allows happen with nothing of the same recording between them (as when the store was synchronous).
   */
  #serial<T>(id: string, step: () => Promise<T>): Promise<T> {
    return this.#steps.run(id, step);
  }
}
