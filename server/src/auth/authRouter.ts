import express, { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError, type AuthErrorCode } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { AgentSessions } from './AgentSessions.js';
import { AuthFailure } from './AuthFailure.js';
import { appendCookie, clearCookie, cookieName, randomId, readCookie, setCookie } from './authCookies.js';
import { LoginFlow, safeReturnTo } from './LoginFlow.js';
import type { LogoutTokenVerifier } from './LogoutTokenVerifier.js';
import type { OidcClient } from './OidcClient.js';
import { sameOrigin } from './sameOrigin.js';
import { sameSecret } from '../http/sameSecret.js';

/** The web client's page that words a failure (AUTH-14). */
export const AUTH_ERROR_PATH = '/connexion/erreur';
/**
 * Logins begun, and callbacks answered, per address and minute (each its own count): bounds the
 * rows an address makes, with room for a city's agents behind one address at nine o'clock.
 */
const LOGINS_PER_MINUTE = 120;
/** How long the logout's `state` is waited for (AUTH-11). */
const LOGOUT_STATE_TTL_S = 600;

export interface AuthRouterDeps {
  sessions: AgentSessions;
  /** Undefined when sign-in is off (OIDC_ISSUER unset): every route says `not_configured`. */
  flow?: LoginFlow;
  client?: OidcClient;
  verifier?: LogoutTokenVerifier;
  /** PUBLIC_URL (or the listen address): the origin a logout must come from. */
  publicUrl: () => string;
  secure: boolean;
  log: Logger;
  /** Counts logins and their failures (metrics). */
  onLogin?: (outcome: 'ok' | AuthErrorCode) => void;
}

export const errorPage = (code: AuthErrorCode): string => `${AUTH_ERROR_PATH}?code=${code}`;

/**
 * /auth: `GET /login?returnTo=` (AUTH-2/3), `GET /callback` (AUTH-1/5…8), `POST /logout`
 * (AUTH-11), `POST /backchannel-logout` (AUTH-12). Browsers are sent on with 303; a failure goes to
 * the error page with its code, never retried by itself (AUTH-14).
 */
export function authRouter(deps: AuthRouterDeps): Router {
  const router = Router();
  const logoutCookie = cookieName('nomades_logout', deps.secure);
  const limit = () =>
    rateLimit({
      windowMs: 60_000,
      limit: LOGINS_PER_MINUTE,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
      handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', `at most ${LOGINS_PER_MINUTE} sign-ins per minute from your address`)),
    });
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const failed = (error: unknown, step: string): string => {
    if (!(error instanceof AuthFailure)) throw error;
    deps.log.warn({ code: error.code, detail: error.detail, step }, 'sign-in refused');
    deps.onLogin?.(error.code);
    return errorPage(error.code);
  };

  router.get('/login', noStore, limit(), async (req, res) => {
    if (!deps.flow) return res.redirect(303, errorPage('not_configured'));
    try {
      res.redirect(303, await deps.flow.begin(req, res, safeReturnTo(req.query.returnTo)));
    } catch (error) {
      res.redirect(303, failed(error, 'login'));
    }
  });

  router.get('/callback', noStore, limit(), async (req, res) => {
    if (!deps.flow) return res.redirect(303, errorPage('not_configured'));
    const q = req.originalUrl.indexOf('?');
    try {
      const returnTo = await deps.flow.finish(req, res, q === -1 ? '' : req.originalUrl.slice(q + 1));
      deps.onLogin?.('ok');
      res.redirect(303, returnTo);
    } catch (error) {
      res.redirect(303, failed(error, 'callback'));
    }
  });

  router.post('/logout', noStore, async (req, res) => {
    if (!sameOrigin(req, deps.publicUrl())) throw new AppError('FORBIDDEN', 'a logout comes from a page of this service (Origin, Sec-Fetch-Site)');
    const row = await deps.sessions.currentRow(req);
    deps.sessions.clearCookie(res);
    if (!row) return res.redirect(303, '/');
    await deps.sessions.end({ idHash: row.idHash }, 'logout');
    const state = randomId();
    const url = await deps.client?.endSessionUrl(row.idToken, state).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'logout: the provider\'s end-session endpoint is unknown (provider unreachable): signed out here only');
      return undefined;
    });
    if (!url) return res.redirect(303, '/');
    appendCookie(res, setCookie(logoutCookie, state, { maxAgeS: LOGOUT_STATE_TTL_S, secure: deps.secure }));
    res.redirect(303, url);
  });

  router.post('/backchannel-logout', noStore, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 }), async (req, res) => {
    const token = req.is('application/x-www-form-urlencoded') ? (req.body as Record<string, unknown>)?.logout_token : undefined;
    if (!deps.verifier || typeof token !== 'string' || token.length > 8192) throw new AppError('BAD_REQUEST', 'a logout_token (form field) is required');
    let target: Awaited<ReturnType<LogoutTokenVerifier['verify']>>;
    try {
      target = await deps.verifier.verify(token);
    } catch (error) {
      deps.log.warn({ reason: (error as Error)?.message?.slice(0, 200) }, 'back-channel logout refused');
      throw new AppError('BAD_REQUEST', 'the logout token was refused');
    }
    const ended = await deps.sessions.end(target.sid ? { providerSid: target.sid } : { providerSub: target.sub! }, 'backchannel');
    deps.log.info({ ended }, 'back-channel logout');
    res.status(200).end();
  });

  return router;
}

/**
 * AUTH-11: the provider sends the browser back to PUBLIC_URL/ with the logout's `state`: it must
 * be the one this browser's short cookie holds; the cookie is cleared and the address cleaned
 * (home), or the error page says the answer matched no logout of this browser.
 */
export function logoutReturn(secure: boolean): RequestHandler {
  const logoutCookie = cookieName('nomades_logout', secure);
  return (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/' || typeof req.query.state !== 'string') return next();
    const expected = readCookie(req, logoutCookie);
    appendCookie(res, clearCookie(logoutCookie, secure));
    res.setHeader('Cache-Control', 'no-store');
    const ok = expected !== undefined && sameSecret(req.query.state, expected);
    res.redirect(303, ok ? '/' : errorPage('login_expired'));
  };
}
