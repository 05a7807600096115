import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RECORDING_QUEUE, recordingJobDataSchema, type RecordingJobResult } from '@nomades/shared';
import { ControlClient } from './ControlClient.js';
import type { ControlUrls } from './ControlUrls.js';
import { DEFAULT_COMPOSE_LIMITS, type ComposeLimits } from './compose.js';
import { ComposeSlots } from './ComposeSlots.js';
import { checkFfmpeg } from './ffmpeg.js';
import { RecordingJob } from './RecordingJob.js';

export interface RecorderOptions {
  redisUrl: string;
  recorderKey: string;
  /** The only control URLs this recorder contacts (REC-8). */
  controlUrls: ControlUrls;
  recordingsDir: string;
  /** Address the SFU sends RTP to. */
  rtpIp: string;
  portRange: [number, number];
  /** Sessions recorded at once by this process. */
  concurrency: number;
  /** NODE-8: the BullMQ prefix of this node's recording queue. */
  queuePrefix?: string;
  /** BullMQ lock: a job whose worker died is taken over after about lockMs + 2 × stalledMs. */
  lockMs: number;
  stalledMs: number;
  pollMs?: number;
  /** RUN-2: bounds of a composition (default: no progress for 60 s, or past 120 s + 3 × its length). */
  composeLimits?: ComposeLimits;
  /** RUN-2: the longest a capture may run (RECORDER_MAX_SESSION_H, default 12 h). */
  captureDeadlineMs?: number;
  /** COMP-6: segment length (RECORDER_SEGMENT_S, default 60 s). */
  segmentSec?: number;
  /** COMP-7: compositions at once, all sessions together (RECORDER_COMPOSE_SLOTS, default 1). */
  composeSlots?: number;
  log: Logger;
}

/**
 * The recorder: a BullMQ worker of the `recordings` queue. Handles 'error' and 'failed' (a job
 * that failed for good is reported to the server with its reason), and closes gracefully:
 * running sessions stop their ffmpeg processes cleanly and are left to be resumed.
 */
export class RecorderWorker {
  readonly #worker: Worker<unknown, RecordingJobResult>;
  readonly #connection: Redis;
  readonly #abort = new AbortController();
  readonly #o: RecorderOptions;
  readonly #warm: Promise<void>;
  readonly #slots: ComposeSlots;
  #closing?: Promise<void>;

  constructor(options: RecorderOptions) {
    this.#o = options;
    this.#slots = new ComposeSlots(options.composeSlots ?? 1);
    const log = options.log;
    this.#warm = checkFfmpeg(log).catch((error) => log.error({ err: error }, 'ffmpeg does not run: recordings will fail'));
    this.#connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.#connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
    this.#worker = new Worker<unknown, RecordingJobResult>(RECORDING_QUEUE, (job) => this.#process(job), {
      connection: this.#connection,
      prefix: options.queuePrefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledMs,
      maxStalledCount: 2,
      autorun: true,
    });
    this.#worker.on('error', (error) => log.error({ err: error }, 'recorder worker error'));
    this.#worker.on('failed', (job, error) => {
      this.#onFailed(job, error).catch((e: unknown) => log.error({ err: e, job: job?.id }, 'could not handle a failed recording job'));
    });
    this.#worker.on('stalled', (jobId) => log.warn({ job: jobId }, 'a recording job stalled (its recorder died); it is taken over'));
  }

  /** Resolves once connected to Redis and ready to take jobs. */
  async ready(): Promise<void> {
    await Promise.all([this.#worker.waitUntilReady(), this.#warm]);
  }

  #process(job: Job): Promise<RecordingJobResult> {
    return new RecordingJob(job, {
      recordingsDir: this.#o.recordingsDir,
      recorderKey: this.#o.recorderKey,
      controlUrls: this.#o.controlUrls,
      rtpIp: this.#o.rtpIp,
      portRange: this.#o.portRange,
      pollMs: this.#o.pollMs ?? 500,
      unreachableMs: 20_000,
      composeLimits: this.#o.composeLimits ?? DEFAULT_COMPOSE_LIMITS,
      captureDeadlineMs: this.#o.captureDeadlineMs ?? 12 * 3600_000,
      segmentSec: this.#o.segmentSec ?? 60,
      slots: this.#slots,
      signal: this.#abort.signal,
      log: this.#o.log,
    }).run();
  }

  async #onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const parsed = recordingJobDataSchema.safeParse(job.data);
    // A job naming a control URL this recorder does not serve is not reported anywhere (REC-8).
    const allowed = parsed.success && this.#o.controlUrls.allows(parsed.data.controlUrl);
    const final = (await job.getState().catch(() => 'failed')) === 'failed';
    const context = { job: job.id, recording: parsed.data?.recordingId, room: parsed.data?.roomId, attempt: job.attemptsMade, final };
    this.#o.log.warn({ ...context, err: error }, 'recording job failed');
    if (!parsed.success || !allowed || this.#abort.signal.aborted) return;
    const control = new ControlClient(parsed.data.controlUrl, parsed.data.recordingId, this.#o.recorderKey, this.#o.controlUrls);
    const report = final
      ? { status: 'failed' as const, error: error.message }
      : { note: `attempt ${job.attemptsMade} failed (${error.message}); it will be retried` };
    await control.report(report).catch((e) => this.#o.log.warn({ err: e }, 'could not report a failure'));
  }

  /** Stops taking jobs, ends running sessions cleanly, disconnects. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      await this.#worker.close();
      this.#connection.disconnect();
    })();
    return this.#closing;
  }
}
