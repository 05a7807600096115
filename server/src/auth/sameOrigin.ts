import type { RequestHandler } from 'express';
import { AppError } from '@nomades/shared';

/**
 * AUTH-9, AUTH-11, OWN-3: a route that changes something on the strength of the session cookie
 * answers only requests from the service's own pages: `Sec-Fetch-Site: same-origin`, or without
 * it an `Origin` equal to PUBLIC_URL's (never to the request's `Host`). A request with neither is
 * not a browser's (no cookie rides along by itself) and passes.
 */
export function sameOriginOnly(publicUrl: () => string): RequestHandler {
  return (req, _res, next) => {
    const site = req.get('sec-fetch-site');
    if (site !== undefined) return next(site === 'same-origin' ? undefined : crossSite());
    const origin = req.get('origin');
    if (origin === undefined) return next();
    let expected: string | undefined;
    try {
      expected = new URL(publicUrl()).origin;
    } catch {
      expected = undefined;
    }
    next(origin === expected ? undefined : crossSite());
  };
}

const crossSite = () => new AppError('FORBIDDEN', 'a request from another site is refused');
