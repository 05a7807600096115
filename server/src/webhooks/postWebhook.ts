import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhook, type WebhookEnvelope } from '@nomades/shared';

export type PostOutcome = { kind: 'ok' } | { kind: 'retry' | 'fatal'; error: string };

/**
 * One attempt (HOOK-2/3): POST of the signed envelope, signed now. 'ok' on 2xx; 'retry' on
 * network errors, timeouts, 408, 429, 5xx; 'fatal' on other statuses. Never throws.
 */
export async function postWebhook(url: string, secret: string, envelope: WebhookEnvelope, timeoutMs: number, abort = new AbortController()): Promise<PostOutcome> {
  const body = JSON.stringify(envelope);
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const signature = await signWebhook(secret, Math.floor(Date.now() / 1000), body);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'nomades-visio-webhooks',
        [WEBHOOK_EVENT_HEADER]: envelope.type,
        [WEBHOOK_DELIVERY_HEADER]: envelope.id,
        [WEBHOOK_SIGNATURE_HEADER]: signature,
      },
      body,
      signal: abort.signal,
      redirect: 'error',
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { kind: 'ok' };
    const error = `HTTP ${res.status}`;
    return res.status === 408 || res.status === 429 || res.status >= 500 ? { kind: 'retry', error } : { kind: 'fatal', error };
  } catch (error) {
    return { kind: 'retry', error: abort.signal.aborted ? `no answer within ${timeoutMs} ms` : String((error as Error).cause ?? (error as Error).message ?? error) };
  } finally {
    clearTimeout(timer);
  }
}

/** An endpoint as it may be shown (dead letters, logs): no credentials, no query. */
export function endpointLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'webhook endpoint';
  }
}
