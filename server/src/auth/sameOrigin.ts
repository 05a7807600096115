import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '@nomades/shared';

/**
 * AUTH-11 (CSRF): a cookie-authenticated request that changes something must come from a page of
 * this service: `Sec-Fetch-Site: same-origin` when the browser sends it, `Origin` equal to
 * PUBLIC_URL's when it sends one; at least one of them. Our pages' `Referrer-Policy: no-referrer`
 * makes browsers send `Origin: null` on their own form posts (and same-origin fetches): that
 * `null` counts as no Origin, so Sec-Fetch-Site decides.
 */
export function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin === 'null' ? undefined : req.headers.origin;
  if (site === undefined && origin === undefined) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && origin !== new URL(publicUrl).origin) return false;
  return true;
}

/** The same rule as a middleware, for the routes of the rooms agents run (AUTH-9, OWN-1, OWN-3): FORBIDDEN otherwise. */
export function sameOriginOnly(publicUrl: () => string): RequestHandler {
  return (req, _res, next) => next(sameOrigin(req, publicUrl()) ? undefined : new AppError('FORBIDDEN', 'a request from another site is refused (Origin, Sec-Fetch-Site)'));
}
