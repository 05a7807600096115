import crypto from 'node:crypto';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { WEBHOOK_LIMITS, type WebhookDeadLetter, type WebhookDeadLetters } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { endpointLabel, postWebhook } from './postWebhook.js';
import { WebhookDispatcher } from './WebhookDispatcher.js';
import { retryDelay, WEBHOOK_DEFAULTS, type WebhookEnvelope, type WebhookEventMap, type WebhookEventType, type WebhookOptions, type Webhooks } from './WebhookTypes.js';

/** The BullMQ queue of pending deliveries (beside the recording queue, in the same Redis). */
export const WEBHOOK_QUEUE = 'nomades-webhooks';

interface DeliveryJob {
  envelope: WebhookEnvelope;
  endpoint: string;
}

/**
 * Webhook deliveries kept in Redis (HOOK-3, HOOK-6): one BullMQ job per (event, endpoint), id
 * `<event id>-<endpoint key>`, attempted by this server's own worker (concurrency 1), retried with
 * exponential backoff (base · 2^(n−1), capped); a restart loses none (the job waits in Redis and
 * the next worker takes it). After the last attempt, or on a status that is not retried, the job
 * stays in the queue's failed set: the dead letters (`GET /api/webhooks/dead-letters`), each of
 * which can be queued again from zero attempts. The Redis connection is the recording service's
 * (it opens and closes it); close() before it disconnects.
 *
 * While Redis is unreachable an event is not lost either: it goes to a WebhookDispatcher in memory
 * (delivered as without Redis, lost only if the server stops before), and is logged.
 */
export class WebhookQueue implements Webhooks {
  readonly enabled: boolean;
  readonly queue: Queue<DeliveryJob>;
  readonly #worker?: Worker<DeliveryJob>;
  readonly #endpoints: string[];
  readonly #secret: string;
  readonly #log: Logger;
  readonly #o: Required<Omit<WebhookOptions, 'url' | 'secret' | 'onResult' | 'maxQueue'>>;
  readonly #onResult: NonNullable<WebhookOptions['onResult']>;
  /** Adds not yet acknowledged by Redis (close() waits for them). */
  readonly #adding = new Set<Promise<unknown>>();
  readonly #aborts = new Set<AbortController>();
  readonly #connection: Redis;
  /** HOOK-3: where events go while Redis is unreachable. */
  readonly #memory: WebhookDispatcher;
  #closing?: Promise<void>;

  constructor(options: WebhookOptions & { connection: Redis }, log: Logger) {
    this.#endpoints = options.url ? [options.url] : [];
    this.enabled = this.#endpoints.length > 0;
    this.#secret = options.secret ?? '';
    this.#log = log.child({ name: 'webhooks' });
    this.#onResult = options.onResult ?? (() => undefined);
    this.#o = {
      maxAttempts: options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? WEBHOOK_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? WEBHOOK_DEFAULTS.maxDelayMs,
      timeoutMs: options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
    };
    this.#connection = options.connection;
    this.#memory = new WebhookDispatcher(options, log);
    this.queue = new Queue<DeliveryJob>(WEBHOOK_QUEUE, { connection: options.connection });
    this.queue.on('error', (error) => this.#log.warn({ err: error }, 'webhook queue error'));
    // Without an endpoint nothing is sent, but the dead letters of an earlier configuration stay listed.
    if (!this.enabled) return;
    this.#worker = new Worker<DeliveryJob>(WEBHOOK_QUEUE, (job) => this.#deliver(job), {
      connection: options.connection,
      concurrency: 1,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, this.#o.baseDelayMs, this.#o.maxDelayMs) },
    });
    this.#worker.on('error', (error) => this.#log.warn({ err: error }, 'webhook worker error'));
    this.#worker.on('failed', (job, error) => void this.#failed(job, error));
  }

  emit<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): void {
    if (!this.enabled) return;
    const envelope = { id: crypto.randomUUID(), type, createdAt: new Date().toISOString(), data } as WebhookEnvelope<T>;
    if (this.#closing) {
      this.#onResult('dropped');
      this.#log.warn({ event: type, id: envelope.id }, 'webhook emitted after shutdown: dropped');
      return;
    }
    // Lost (not merely still connecting at start, when the command waits for the connection).
    if (['reconnecting', 'close', 'end'].includes(this.#connection.status)) {
      this.#log.warn({ event: type, id: envelope.id, redis: this.#connection.status }, 'Redis unreachable: webhook delivered from memory');
      this.#memory.emit(type, data);
      return;
    }
    for (const endpoint of this.#endpoints) {
      const jobId = `${envelope.id}-${crypto.createHash('sha256').update(endpoint).digest('hex').slice(0, 12)}`;
      const adding = this.queue
        .add(type, { envelope: envelope as WebhookEnvelope, endpoint }, {
          jobId,
          attempts: this.#o.maxAttempts,
          backoff: { type: 'nomades' },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: WEBHOOK_LIMITS.deadLettersKept },
        })
        .catch((error: unknown) => {
          this.#onResult('dropped');
          this.#log.error({ err: error, event: type, id: envelope.id }, 'webhook could not be queued (Redis): dropped');
        })
        .finally(() => this.#adding.delete(adding));
      this.#adding.add(adding);
    }
  }

  async #deliver(job: Job<DeliveryJob>): Promise<void> {
    const { envelope, endpoint } = job.data;
    const abort = new AbortController();
    this.#aborts.add(abort);
    try {
      const outcome = await postWebhook(endpoint, this.#secret, envelope, this.#o.timeoutMs, abort);
      if (outcome.kind === 'ok') {
        this.#onResult('delivered');
        return;
      }
      if (outcome.kind === 'fatal') throw new UnrecoverableError(outcome.error);
      throw new Error(outcome.error);
    } finally {
      this.#aborts.delete(abort);
    }
  }

  async #failed(job: Job<DeliveryJob> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const context = { event: job.data.envelope.type, id: job.data.envelope.id, delivery: job.id, attempt: job.attemptsMade, error: error.message };
    const state = await job.getState().catch(() => 'unknown');
    if (state === 'failed') {
      this.#onResult('failed');
      this.#log.error(context, 'webhook given up: kept as a dead letter');
    } else {
      this.#onResult('retried');
      this.#log.warn(context, 'webhook failed, will retry');
    }
  }

  async deadLetters(): Promise<WebhookDeadLetters> {
    const [jobs, total] = await Promise.all([this.queue.getFailed(0, WEBHOOK_LIMITS.deadLettersListed - 1), this.queue.getFailedCount()]);
    return { deadLetters: jobs.filter(Boolean).map(deadLetter), total };
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const job = await this.#deadLetter(id);
    if (!job) return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    this.#log.info({ delivery: id, event: job.data.envelope.type }, 'dead letter queued again');
    return true;
  }

  async discardDeadLetter(id: string): Promise<boolean> {
    const job = await this.#deadLetter(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  async #deadLetter(id: string): Promise<Job<DeliveryJob> | undefined> {
    const job = await Job.fromId<DeliveryJob>(this.queue, id);
    if (!job || (await job.getState()) !== 'failed') return undefined;
    return job;
  }

  /** Waits for the events being queued, stops the worker (a delivery under way ends first). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // Adds wait for Redis at most ADD_WAIT_MS at shutdown (logged by their own catch if they fail).
      await Promise.race([Promise.allSettled([...this.#adding]), new Promise((r) => setTimeout(r, ADD_WAIT_MS).unref())]);
      await this.#memory.close();
      // Redis gone: no job can finish; do not wait for one (force).
      const stopping = this.#worker?.close(this.#connection.status !== 'ready').catch(() => undefined);
      // A receiver that does not answer is not waited for: the attempt counts as failed, the job is retried after the restart.
      const timer = setTimeout(() => this.#aborts.forEach((a) => a.abort()), this.#o.timeoutMs);
      await stopping;
      clearTimeout(timer);
      await this.queue.close().catch(() => undefined);
    })();
    return this.#closing;
  }
}

const ADD_WAIT_MS = 5_000;

function deadLetter(job: Job<DeliveryJob>): WebhookDeadLetter {
  const { envelope, endpoint } = job.data;
  return {
    id: String(job.id),
    event: { id: envelope.id, type: envelope.type, createdAt: envelope.createdAt },
    endpoint: endpointLabel(endpoint),
    attempts: job.attemptsMade,
    error: job.failedReason ?? 'failed',
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}
