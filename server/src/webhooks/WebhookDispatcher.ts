import crypto from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import type { WebhookEnvelope, WebhookEventMap, WebhookEventType, WebhookOptions } from './WebhookTypes.js';

/** Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with WEBHOOK_SECRET>`. */
export const SIGNATURE_HEADER = 'x-nomades-signature';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Runs `run` after `delayMs`; returns a function that cancels it. Tests inject their own to drive the backoff. */
export type RetryScheduler = (run: () => void, delayMs: number) => () => void;

const realTimers: RetryScheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  return () => clearTimeout(timer);
};

/**
 * Delivers events to the intranet portal (HOOK-1…4): POST of a signed JSON envelope, one at a
 * time in order, retried with exponential backoff on network errors, 408, 429 and 5xx; a bounded
 * queue (the oldest event is dropped when full). Without WEBHOOK_URL, emit() does nothing.
 */
export class WebhookDispatcher {
  readonly enabled: boolean;
  readonly #url?: string;
  readonly #secret: string;
  readonly #log: Logger;
  readonly #o: Required<Omit<WebhookOptions, 'url' | 'secret'>>;
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
    this.#o = {
      maxQueue: options.maxQueue ?? 1000,
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 5_000,
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
      this.#log.warn({ event: dropped?.envelope.type, id: dropped?.envelope.id }, 'webhook queue full: oldest event dropped');
    }
    const envelope: WebhookEnvelope<T> = { id: crypto.randomUUID(), type, createdAt: new Date().toISOString(), data };
    this.#queue.push({ envelope: envelope as WebhookEnvelope, attempts: 0 });
    this.#kick();
  }

  /** Stops delivering; events still queued are dropped (logged). Idempotent. */
  close(): void {
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
    const outcome = await this.#post(head.envelope);
    if (this.#closed) return;
    if (outcome === 'ok' || outcome === 'fatal' || head.attempts >= this.#o.maxAttempts) {
      this.#queue.shift();
      if (outcome === 'ok') this.delivered++;
      else {
        this.failed++;
        this.#log.error({ event: head.envelope.type, id: head.envelope.id, attempts: head.attempts }, 'webhook given up');
      }
      return;
    }
    const delay = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** (head.attempts - 1));
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

  /** 'ok' on 2xx; 'retry' on network errors, timeouts, 408, 429, 5xx; 'fatal' on other statuses. */
  async #post(envelope: WebhookEnvelope): Promise<'ok' | 'retry' | 'fatal'> {
    const body = JSON.stringify(envelope);
    const timestamp = Math.floor(Date.now() / 1000);
    this.#abort = new AbortController();
    const timer = setTimeout(() => this.#abort?.abort(), this.#o.timeoutMs);
    try {
      const res = await fetch(this.#url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'nomades-visio-webhooks',
          'x-nomades-event': envelope.type,
          'x-nomades-delivery': envelope.id,
          [SIGNATURE_HEADER]: signWebhook(this.#secret, timestamp, body),
        },
        body,
        signal: this.#abort.signal,
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      return res.status === 408 || res.status === 429 || res.status >= 500 ? 'retry' : 'fatal';
    } catch {
      return 'retry';
    } finally {
      clearTimeout(timer);
    }
  }
}
