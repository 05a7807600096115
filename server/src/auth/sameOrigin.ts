import type { IncomingMessage } from 'node:http';

/**
 * AUTH-11 (CSRF): a cookie-authenticated request that changes something must come from a page of
 * this service: `Sec-Fetch-Site: same-origin` when the browser sends it, `Origin` equal to
 * PUBLIC_URL's when it sends that; at least one of them.
 */
export function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site === undefined && origin === undefined) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && origin !== new URL(publicUrl).origin) return false;
  return true;
}
