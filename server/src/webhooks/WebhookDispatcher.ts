import crypto from 'node:crypto';
import type { WebhookDeadLetters } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { postWebhook } from './postWebhook.js';
import { retryDelay, WEBHOOK_DEFAULTS, type WebhookEnvelope, type WebhookEventMap, type WebhookEventType, type WebhookOptions, type Webhooks } from './WebhookTypes.js';

// Kept here for older imports: the header and the signature live in shared/src/webhooks.
export { WEBHOOK_SIGNATURE_HEADER as SIGNATURE_HEADER, signWebhook } from '@nomades/shared';

/** Runs `run` after `delayMs`; returns a function that cancels it. Tests inject their own to drive the backoff. */
export type RetryScheduler = (run: () => void, delayMs: number) => () => void;

const realTimers: RetryScheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  return () => clearTimeout(timer);
};

/**
 * Delivers events to the intranet portal (HOOK-1…4) when there is no Redis (the server's own
 * queue, WebhookQueue, is used otherwise): POST of a signed JSON envelope, one at a time in
 * order, retried with exponential backoff on network errors, 408, 429 and 5xx; a bounded queue in
 * memory (the oldest event is dropped when full), lost at shutdown. Without WEBHOOK_URL, emit()
 * does nothing.
 */
export class WebhookDispatcher implements Webhooks {
  readonly enabled: boolean;
  readonly #url?: string;
  readonly #secret: string;
  readonly #log: Logger;
  readonly #o: Required<Omit<WebhookOptions, 'url' | 'secret' | 'onResult'>>;
  readonly #onResult: NonNullable<WebhookOptions['onResult']>;
  readonly #queue: Array<{ envelope: WebhookEnvelope; attempts: number }> = [];
  readonly #schedule: RetryScheduler;
  /** Cancels the pending retry delay, while one is pending. */
  #cancelRetry?: () => void;
  #abort?: AbortController;
  #busy = false;
  #closed = false;
  /** Delivered and given-up counts, for tests and health. */
  delivered = 0;
  failed = 0;
  dropped = 0;

  /** `schedule`: how retry delays are waited (real timers unless a test drives them). */
  constructor(options: WebhookOptions, log: Logger, schedule: RetryScheduler = realTimers) {
    this.#schedule = schedule;
    this.#url = options.url;
    this.#secret = options.secret ?? '';
    this.enabled = Boolean(options.url);
    this.#log = log.child({ name: 'webhooks' });
    this.#onResult = options.onResult ?? (() => undefined);
    this.#o = {
      maxQueue: options.maxQueue ?? WEBHOOK_DEFAULTS.maxQueue,
      maxAttempts: options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? WEBHOOK_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? WEBHOOK_DEFAULTS.maxDelayMs,
      timeoutMs: options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs,
    };
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues an event for delivery (the public seam: e.g. emit('recording.ready', …)). */
  emit<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): void {
    if (!this.enabled || this.#closed) return;
    if (this.#queue.length >= this.#o.maxQueue) {
      const dropped = this.#queue.shift();
      this.dropped++;
      this.#onResult('dropped');
      this.#log.warn({ event: dropped?.envelope.type, id: dropped?.envelope.id }, 'webhook queue full: oldest event dropped');
    }
    const envelope = { id: crypto.randomUUID(), type, createdAt: new Date().toISOString(), data } as WebhookEnvelope<T>;
    this.#queue.push({ envelope: envelope as WebhookEnvelope, attempts: 0 });
    this.#kick();
  }

  /** In memory, nothing is kept once given up (the log says it): always empty. */
  async deadLetters(): Promise<WebhookDeadLetters> {
    return { deadLetters: [], total: 0 };
  }

  async retryDeadLetter(): Promise<boolean> {
    return false;
  }

  async discardDeadLetter(): Promise<boolean> {
    return false;
  }

  /** Stops delivering; events still queued are dropped (logged). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#abort?.abort();
    if (this.#queue.length) this.#log.warn({ pending: this.#queue.length }, 'webhooks not delivered at shutdown');
    this.#queue.length = 0;
  }

  #kick(): void {
    if (this.#busy || this.#cancelRetry || this.#closed || this.#queue.length === 0) return;
    this.#busy = true;
    void this.#deliverHead().finally(() => {
      this.#busy = false;
      this.#kick();
    });
  }

  async #deliverHead(): Promise<void> {
    const head = this.#queue[0];
    head.attempts++;
    this.#abort = new AbortController();
    const outcome = (await postWebhook(this.#url!, this.#secret, head.envelope, this.#o.timeoutMs, this.#abort)).kind;
    if (this.#closed) return;
    if (outcome === 'ok' || outcome === 'fatal' || head.attempts >= this.#o.maxAttempts) {
      this.#queue.shift();
      if (outcome === 'ok') {
        this.delivered++;
        this.#onResult('delivered');
      } else {
        this.failed++;
        this.#onResult('failed');
        this.#log.error({ event: head.envelope.type, id: head.envelope.id, attempts: head.attempts }, 'webhook given up');
      }
      return;
    }
    this.#onResult('retried');
    const delay = retryDelay(head.attempts, this.#o.baseDelayMs, this.#o.maxDelayMs);
    this.#log.warn({ event: head.envelope.type, attempt: head.attempts, retryInMs: delay }, 'webhook failed, will retry');
    await new Promise<void>((resolve) => {
      let due = false;
      const cancel = this.#schedule(() => {
        due = true;
        this.#cancelRetry = undefined;
        resolve();
      }, delay);
      if (!due) this.#cancelRetry = cancel; // a scheduler may run `run` at once
    });
  }
}
