import type { JobsOptions, Queue } from 'bullmq';
import type { RecordingJobData } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';

/** The longest one Redis call of the start may take (the queue's connection waits for Redis forever). */
export const QUEUE_CALL_TIMEOUT_MS = 2_000;
/** First delay between two enqueue attempts; doubles each time (1 s, 2 s, 4 s …). */
export const START_RETRY_DELAY_MS = 1_000;

export interface RecordingStartOptions {
  queue: Queue;
  /** REC-11: a recorder must take the job within this time from the session's start. */
  timeoutMs: number;
  /** REC-11: enqueue attempts (the job is added again, idempotently: same jobId) before the deadline. */
  attempts: number;
  jobOptions: JobsOptions;
  log: Logger;
}

/** How a start ended: taken by a recorder, given up (with the reason shown in the recording's `error`), or cancelled. */
export type RecordingStartOutcome =
  | { kind: 'taken' }
  | { kind: 'failed'; reason: string }
  | { kind: 'cancelled' };

/** Job states in which no recorder has taken the job yet. */
const NOT_TAKEN = new Set(['waiting', 'prioritized', 'waiting-children', 'unknown']);

/**
 * Gets one session's job taken by a recorder (REC-11 in recorder/README.md): the job is enqueued,
 * enqueued again with backoff while the queue is unreachable or the job went missing (a bounded
 * number of attempts), and the start is given up when no recorder took it by the deadline. A
 * recorder has taken it once it contacts the internal channel for it (taken()) or once the job
 * leaves the waiting states. Every Redis call is bounded (QUEUE_CALL_TIMEOUT_MS). run() never
 * rejects; discard() removes the job, including the one an enqueue still pending may create.
 */
export class RecordingStart {
  readonly #data: RecordingJobData;
  readonly #o: RecordingStartOptions;
  readonly #abort = new AbortController();
  /** Enqueues that did not answer in time: they may still land once Redis is back. */
  readonly #pendingAdds: Promise<unknown>[] = [];
  #taken = false;
  #wake?: () => void;
  #running?: Promise<RecordingStartOutcome>;

  constructor(data: RecordingJobData, options: RecordingStartOptions) {
    this.#data = data;
    this.#o = options;
  }

  get id(): string {
    return this.#data.recordingId;
  }

  /** A recorder contacted the internal channel for this recording: it has the job. */
  taken(): void {
    this.#taken = true;
    this.#wake?.();
  }

  /** Stops waiting (the server is closing); run() resolves `cancelled`. Idempotent. */
  cancel(): void {
    this.#abort.abort();
    this.#wake?.();
  }

  run(): Promise<RecordingStartOutcome> {
    this.#running ??= this.#run().catch((error: Error) => ({ kind: 'failed' as const, reason: `the recording could not start: ${error.message}` }));
    return this.#running;
  }

  async #run(): Promise<RecordingStartOutcome> {
    const deadline = Date.now() + this.#o.timeoutMs;
    let queueError: string | undefined;
    let refused: string | undefined;
    let attempts = 0;
    while (attempts < this.#o.attempts && Date.now() < deadline && !this.#done()) {
      attempts++;
      try {
        await this.#bounded(this.#add(), deadline);
        queueError = undefined;
        const state = await this.#bounded(this.#o.queue.getJobState(this.id), deadline);
        if (state === 'failed') refused = await this.#failedReason(deadline);
        else if (!NOT_TAKEN.has(state)) this.#taken = true;
        if (!NOT_TAKEN.has(state)) break;
      } catch (error) {
        queueError = (error as Error).message;
        this.#o.log.warn({ attempt: attempts, err: error }, 'recording: could not enqueue the job; will retry');
      }
      if (attempts < this.#o.attempts) await this.#sleep(Math.min(START_RETRY_DELAY_MS * 2 ** (attempts - 1), deadline - Date.now()));
    }
    if (!refused) await this.#sleep(deadline - Date.now());
    if (this.#abort.signal.aborted) return { kind: 'cancelled' };
    if (this.#taken) return { kind: 'taken' };
    if (!refused) {
      // The last look: a recorder may have taken the job an instant before its first contact.
      try {
        const state = await this.#bounded(this.#o.queue.getJobState(this.id), Date.now() + QUEUE_CALL_TIMEOUT_MS);
        if (state === 'failed') refused = await this.#failedReason(Date.now() + QUEUE_CALL_TIMEOUT_MS);
        else if (!NOT_TAKEN.has(state)) return { kind: 'taken' };
        else if (state !== 'unknown') queueError = undefined; // Redis answers and the job waits: no recorder
      } catch (error) {
        queueError = (error as Error).message;
      }
    }
    if (this.#taken) return { kind: 'taken' };
    if (refused) return { kind: 'failed', reason: `the recorder gave up the job before recording: ${refused}` };
    const seconds = Math.round(this.#o.timeoutMs / 100) / 10;
    if (queueError) {
      return { kind: 'failed', reason: `the recording queue (Redis) is unreachable: ${queueError} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds} s)` };
    }
    return { kind: 'failed', reason: `no recorder took the recording within ${seconds} s` };
  }

  /** Removes the job (now, and once a pending enqueue lands). Never rejects. */
  async discard(): Promise<void> {
    const remove = () => this.#o.queue.remove(this.id).catch(() => 0);
    for (const pending of this.#pendingAdds) void pending.then(remove, () => undefined);
    await this.#bounded(remove(), Date.now() + QUEUE_CALL_TIMEOUT_MS).catch(() => undefined);
  }

  #add(): Promise<unknown> {
    const add = this.#o.queue.add('record', this.#data, { ...this.#o.jobOptions, jobId: this.id });
    add.catch(() => undefined);
    this.#pendingAdds.push(add);
    void add.then(
      () => this.#forget(add),
      () => this.#forget(add),
    );
    return add;
  }

  #forget(add: Promise<unknown>): void {
    const i = this.#pendingAdds.indexOf(add);
    if (i >= 0) this.#pendingAdds.splice(i, 1);
  }

  async #failedReason(deadline: number): Promise<string> {
    const job = await this.#bounded(this.#o.queue.getJob(this.id), deadline).catch(() => undefined);
    return job?.failedReason || 'the job failed';
  }

  #done(): boolean {
    return this.#taken || this.#abort.signal.aborted;
  }

  /** `promise`, or a rejection once `deadline` (at most QUEUE_CALL_TIMEOUT_MS from now) passes. */
  #bounded<T>(promise: Promise<T>, deadline: number): Promise<T> {
    const ms = Math.max(0, Math.min(QUEUE_CALL_TIMEOUT_MS, deadline - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Waits `ms`, or less if a recorder takes the job or the start is cancelled. */
  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#done()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => (this.#wake = undefined));
  }
}
