import { RETENTION_SWEEP_INTERVAL_MS, type RecordingInfo } from '@nomades/shared';
import type { CollabServer } from '../collab/CollabServer.js';
import type { Logger } from '../logging/logger.js';
import type { RecordingStore } from '../store/RecordingStore.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** RECORDING_RETENTION_DAYS (RET-1); undefined: recordings are kept. */
  recordingDays?: number;
  /** CHAT_RETENTION_DAYS (RET-2); undefined: chat messages are kept. */
  chatDays?: number;
  recordings: Pick<RecordingStore, 'finishedBefore'>;
  /** Deletes one recording: files, row, `recording.deleted` (RecordingService.deleteRecording). */
  deleteRecording: (recording: RecordingInfo) => Promise<void>;
  collab: Pick<CollabServer, 'removeChat' | 'storedRooms'>;
  /** The clock (ms since the epoch); tests move it instead of waiting days. */
  now?: () => number;
  intervalMs?: number;
  faults?: { record(source: string, error: unknown, context?: Record<string, unknown>): void };
  /** Several nodes (NODE-9): which part of the sweep is this node's. Alone: all of it. */
  scope?: RetentionScope;
  log: Logger;
}

/**
 * NODE-9: with several nodes, one node (the `sweeper`) deletes old recordings, and each room's
 * chat is swept by the node hosting it (its document is loaded there), or by the sweeper when it
 * runs nowhere: never two nodes on one document.
 */
export interface RetentionScope {
  sweeper(): boolean;
  ownsRoom(roomId: string): Promise<boolean>;
}

export interface SweepResult {
  recordingsDeleted: string[];
  chatMessagesRemoved: number;
}

/**
 * GDPR retention (RET-1, RET-2 in docs/spec/signaling.md): a sweep at start and every hour
 * deletes the finished recordings older than RECORDING_RETENTION_DAYS (file and row, with a
 * `recording.deleted` event) and removes the chat messages older than CHAT_RETENTION_DAYS from
 * every room's stored history (live documents through Hocuspocus, so connected clients see it).
 * One failure (a file, a document) is logged and counted, and the sweep goes on with the others.
 */
export class RetentionService {
  readonly #o: RetentionOptions;
  readonly #log: Logger;
  #timer?: NodeJS.Timeout;
  #running?: Promise<SweepResult>;
  #closed = false;

  constructor(options: RetentionOptions) {
    this.#o = options;
    this.#log = options.log.child({ name: 'retention' });
  }

  get enabled(): boolean {
    return this.#o.recordingDays !== undefined || this.#o.chatDays !== undefined;
  }

  /** Sweeps now, then every intervalMs (an unref'd timer). Nothing when no retention is configured. */
  start(): void {
    if (!this.enabled || this.#timer || this.#closed) return;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#o.intervalMs ?? RETENTION_SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  /** One sweep, as if the time were `now` (the clock by default), after the one under way if any (never two at once). */
  sweep(now?: number): Promise<SweepResult> {
    const previous = this.#running;
    const next = (async () => {
      await previous?.catch(() => undefined);
      return this.#sweep(now ?? (this.#o.now ?? Date.now)());
    })();
    this.#running = next;
    next
      .finally(() => {
        if (this.#running === next) this.#running = undefined;
      })
      .catch(() => undefined);
    return next;
  }

  /** The periodic sweep: skipped while one is under way. */
  #tick(): void {
    if (!this.#running) void this.sweep();
  }

  async #sweep(now: number): Promise<SweepResult> {
    const result: SweepResult = { recordingsDeleted: [], chatMessagesRemoved: 0 };
    if (this.#o.recordingDays !== undefined && !this.#closed && (this.#o.scope?.sweeper() ?? true)) {
      const cutoff = new Date(now - this.#o.recordingDays * DAY_MS).toISOString();
      for (const recording of (await this.#guard('recordings', {}, () => this.#o.recordings.finishedBefore(cutoff))) ?? []) {
        if (this.#closed) break;
        const context = { recording: recording.id, room: recording.roomId };
        await this.#o.deleteRecording(recording).then(
          () => result.recordingsDeleted.push(recording.id),
          (error: unknown) => this.#fault('recording', context, error),
        );
      }
    }
    if (this.#o.chatDays !== undefined && !this.#closed) {
      const cutoff = now - this.#o.chatDays * DAY_MS;
      for (const roomId of (await this.#guard('chat', {}, () => this.#o.collab.storedRooms())) ?? []) {
        if (this.#closed) break;
        if (this.#o.scope && !(await this.#guard('chat', { room: roomId }, () => this.#o.scope!.ownsRoom(roomId)))) continue;
        await this.#o.collab.removeChat(roomId, (m) => m.time < cutoff).then(
          (n) => void (result.chatMessagesRemoved += n),
          (error: unknown) => this.#fault('chat', { room: roomId }, error),
        );
      }
    }
    if (result.recordingsDeleted.length || result.chatMessagesRemoved) {
      this.#log.info({ recordings: result.recordingsDeleted.length, chatMessages: result.chatMessagesRemoved }, 'retention sweep');
    }
    return result;
  }

  async #guard<T>(step: string, context: Record<string, unknown>, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.#fault(step, context, error);
      return undefined;
    }
  }

  #fault(step: string, context: Record<string, unknown>, error: unknown): void {
    this.#o.faults?.record(`retention.${step}`, error, context);
    this.#log.error({ ...context, step, err: error }, 'retention: a deletion failed');
  }

  /** Stops the timer and waits for a sweep under way. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
