import type { IncomingHttpHeaders } from 'node:http';
import { sameSecret } from '../http/sameSecret.js';

/** Headers a relaying HTTP proxy adds: their presence means the request came from further away (OPS-1). */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** OPS-1: the TCP peers that may read /metrics without a key: this machine's own loopback address. */
export function isLocalScraper(socketAddress: string | undefined): boolean {
  if (!socketAddress) return false;
  const address = socketAddress.toLowerCase();
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export type MetricsAccess = { allowed: true; via: 'loopback' | 'key' } | { allowed: false; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string };

/**
 * OPS-1, the rule of GET /metrics, as a pure function of the request:
 * - an `Authorization` header must be `Bearer <METRICS_TOKEN or ADMIN_KEY>` (compared in constant
 *   time), from anywhere: else FORBIDDEN (a wrong key) or UNAUTHORIZED (not a bearer);
 * - without one, the request is answered only when the TCP peer itself (the socket's address,
 *   never X-Forwarded-For: `trust proxy` plays no part) is 127.0.0.1 or ::1 and it carries no
 *   proxy header (Forwarded, X-Forwarded-For, X-Real-IP): a request an HTTP proxy relays is not
 *   local. Other loopback addresses (127.0.0.2 …) are not free either: that is where a TCP relay
 *   on this machine is bound (the `stream` block of docs/operations/nginx-443.conf), whose
 *   connections would otherwise look local;
 * - else UNAUTHORIZED.
 */
export function metricsAccess(request: { socketAddress?: string; headers: IncomingHttpHeaders }, keys: readonly string[]): MetricsAccess {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer (.+)$/.exec(authorization);
    if (!match) return { allowed: false, code: 'UNAUTHORIZED', message: 'metrics: Authorization: Bearer <METRICS_TOKEN or ADMIN_KEY>' };
    return keys.some((key) => sameSecret(match[1], key))
      ? { allowed: true, via: 'key' }
      : { allowed: false, code: 'FORBIDDEN', message: 'metrics: wrong key' };
  }
  const relayed = PROXY_HEADERS.some((name) => request.headers[name] !== undefined);
  if (!relayed && isLocalScraper(request.socketAddress)) return { allowed: true, via: 'loopback' };
  return { allowed: false, code: 'UNAUTHORIZED', message: 'metrics from another machine need Authorization: Bearer <METRICS_TOKEN or ADMIN_KEY>' };
}
