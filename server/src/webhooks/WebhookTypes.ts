import type { WebhookDeadLetters, WebhookEventMap, WebhookEventType } from '@nomades/shared';

// The events, their schemas and the signature are defined once in shared/src/webhooks (HOOK-n).
export type { WebhookEnvelope, WebhookEventMap, WebhookEventType } from '@nomades/shared';

/** What happened to one delivery attempt (nomades_webhook_deliveries_total{result}). */
export type WebhookResult = 'delivered' | 'retried' | 'failed' | 'dropped';

export interface WebhookOptions {
  url?: string;
  secret?: string;
  /** Events kept waiting at most (in memory only); beyond, the oldest is dropped (logged). */
  maxQueue?: number;
  /** Attempts per event, the first included. */
  maxAttempts?: number;
  /** First retry delay; doubles each time, capped by maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Deadline of one HTTP attempt. */
  timeoutMs?: number;
  /** Counts each attempt's result (the metrics). */
  onResult?: (result: WebhookResult) => void;
}

/** The webhooks as the rest of the server sees them: in memory (no Redis) or in the BullMQ queue (WebhookQueue). */
export interface Webhooks {
  readonly enabled: boolean;
  /** Queues an event for delivery to every endpoint; never throws. */
  emit<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): void;
  /** HOOK-6: deliveries given up after their last attempt, newest first. */
  deadLetters(): Promise<WebhookDeadLetters>;
  /** HOOK-6: queues a dead letter again (its attempts from zero); false when there is no such dead letter. */
  retryDeadLetter(id: string): Promise<boolean>;
  /** HOOK-6: forgets a dead letter; false when there is no such dead letter. */
  discardDeadLetter(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Delay before attempt `attemptsMade + 1` (HOOK-3): base · 2^(attemptsMade − 1), capped. */
export function retryDelay(attemptsMade: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
}

export const WEBHOOK_DEFAULTS = { maxQueue: 1000, maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000, timeoutMs: 5_000 } as const;
