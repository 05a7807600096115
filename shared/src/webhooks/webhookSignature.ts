import { WEBHOOK_LIMITS } from './webhookEvents.js';

/**
 * HOOK-2: `x-nomades-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Web Crypto (globalThis.crypto.subtle), so that Node receivers and browsers share it.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'x-nomades-signature';
export const WEBHOOK_EVENT_HEADER = 'x-nomades-event';
export const WEBHOOK_DELIVERY_HEADER = 'x-nomades-delivery';

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export async function signWebhook(secret: string, timestamp: number, body: string): Promise<string> {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

export type WebhookSignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' };

/**
 * A receiver's check of a delivery: `header` is the x-nomades-signature value, `body` the raw
 * request body (not re-serialized JSON). Refuses a timestamp further than `toleranceSeconds` from
 * `nowSeconds` (a replayed delivery). Compares in constant time.
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<WebhookSignatureCheck> {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return { ok: false, reason: 'malformed' };
  const timestamp = Number(m[1]);
  const expected = await hmacHex(secret, `${m[1]}.${body}`);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ m[2].charCodeAt(i);
  if (diff !== 0) return { ok: false, reason: 'mismatch' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? WEBHOOK_LIMITS.signatureToleranceSeconds)) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp };
}
