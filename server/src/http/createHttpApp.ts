import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { AppError, INTERNAL_RECORDINGS_PATH } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { AUTH_ERROR_PATH } from '../auth/authRouter.js';
import type { SignInRoutes } from '../auth/signInParts.js';
import { apiDocsRouter } from './apiDocsRouter.js';
import { errorHandler } from './errorHandler.js';
import { METRICS_PATH } from '../metrics/metricsRouter.js';
import { moderationRouter } from './moderationRouter.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import { roomsRouter, type RoomsRouterDeps } from './roomsRouter.js';
import { recordMounts } from './routeTable.js';
import { securityHeaders } from './securityHeaders.js';

export interface HttpAppDeps extends RoomsRouterDeps {
  log: Logger;
  clientDist: string;
  /** UI-1: written into the page, the client's language when the browser prefers none it speaks. */
  defaultLocale: 'fr' | 'en';
  /** NOISE_SUPPRESSION=off: written into the page (`<html data-noise-suppression="off">`), the client offers none. */
  noiseSuppression?: boolean;
  /** BACKGROUND_EFFECTS: false writes `data-background-effects="off"` into the page (client/src/media/effects/BackgroundSupport.ts). */
  backgroundEffects?: boolean;
  health: () => Record<string, unknown>;
  /** Whiteboard and chat API (server/src/collab/collabRouter.ts), mounted on /api. */
  collabApi?: express.Router;
  /** The rooms agents run and the session's room token (server/src/auth/agentRoomsApi.ts, OWN-n), mounted on /api. */
  agentRoomsApi?: express.Router;
  /** Invitations (server/src/invites/invitesRouter.ts), mounted on /api/rooms. */
  invitesApi?: express.Router;
  /** POLL-10: the polls' CSV export (server/src/polls/pollsRouter.ts), mounted on /api. */
  pollsApi?: express.Router;
  /** Recordings API (server/src/recording/recordingsRouter.ts), mounted on /api. */
  recordingsApi?: express.Router;
  /** HOOK-6: the webhooks' dead letters (server/src/webhooks/webhooksRouter.ts), mounted on /api. */
  webhooksApi?: express.Router;
  /** NODE-6: the live nodes (server/src/cluster/nodesRouter.ts), mounted on /api. */
  nodesApi?: express.Router;
  /** The recorders' internal channel, mounted on /internal/recordings. */
  recordingsInternal?: express.Router;
  /** OPS-6: the access log (server/src/logging/accessLog.ts), first of all. */
  accessLog?: express.RequestHandler;
  /** OPS-1: GET /metrics (server/src/metrics/metricsRouter.ts). */
  metricsApi?: express.Router;
  /** Live rooms, for the moderation API. */
  registry: RoomRegistry;
  /** NODE-4: passes calls on a live meeting hosted by another node to that node (server/src/cluster/RoomApiForwarder.ts). */
  forward?: express.RequestHandler;
  /** NODE-3: the other nodes' origins, which the page may connect to (CSP connect-src). */
  otherOrigins?: () => string[];
  /** Sign-in (AUTH-n): /auth, /api/me, /api/agents/sessions, the logout's return. */
  signIn?: SignInRoutes;
  /** REACH-6: TLS is served on this port: plain HTTP requests are redirected to https (not /healthz, nor the local recorder's channel). */
  redirectPlainHttp?: boolean;
}

/** The express application: health, the REST API, and the built web client. */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  recordMounts(app); // the OpenAPI coverage test lists every route (routeTable.ts)
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  if (deps.accessLog) app.use(deps.accessLog);
  if (deps.redirectPlainHttp) {
    app.use((req, res, next) => {
      // The local recorder's channel (REC-8) and a local scraper (OPS-1) stay on loopback HTTP; probes keep /healthz.
      const loopback = /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress ?? '');
      if (req.secure || req.path === '/healthz' || (loopback && (req.path.startsWith('/internal/') || req.path === METRICS_PATH))) return next();
      const host = req.headers.host;
      if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return next(new AppError('BAD_REQUEST', 'a Host header is required'));
      res.redirect(308, `https://${host}${req.originalUrl}`);
    });
  }
  app.use(securityHeaders({ otherOrigins: deps.otherOrigins, formActionOrigins: deps.signIn?.formActionOrigins }));
  // Before the body is read: a forwarded request's body is passed on as it came.
  if (deps.forward) app.use(deps.forward);
  app.use(express.json({ limit: '16kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ...deps.health() });
  });
  if (deps.metricsApi) app.use(deps.metricsApi);
  if (deps.signIn) {
    app.use('/auth', deps.signIn.authApi);
    app.use('/api', deps.signIn.agentsApi);
  }
  app.use('/api/rooms', roomsRouter(deps));
  if (deps.agentRoomsApi) app.use('/api', deps.agentRoomsApi); // OWN-n: before the moderation API's admin check
  // Before the moderation API, whose admin check covers every /api/rooms/:id/… it is given: these
  // have routes a room token opens (INV-7, REC-V1, POLL-10).
  if (deps.invitesApi) app.use('/api/rooms', deps.invitesApi);
  if (deps.recordingsApi) app.use('/api', deps.recordingsApi);
  if (deps.pollsApi) app.use('/api', deps.pollsApi); // POLL-10: a host's room token opens it
  app.use('/api/rooms', moderationRouter({ ...deps, log: deps.log.child({ name: 'moderation' }) }));
  if (deps.collabApi) app.use('/api', deps.collabApi);
  if (deps.webhooksApi) app.use('/api', deps.webhooksApi);
  if (deps.nodesApi) app.use('/api', deps.nodesApi);
  if (deps.recordingsInternal) app.use(INTERNAL_RECORDINGS_PATH, deps.recordingsInternal);
  app.use('/api', apiDocsRouter(deps)); // GET /api/openapi.json, /api/docs (every route: shared/src/openapi)
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such API route')));

  if (deps.signIn) app.use(deps.signIn.logoutReturn);
  // The web client's pages: home, a room, the sign-in error page (AUTH-14).
  const pages = ['/', '/room/:roomId', AUTH_ERROR_PATH];
  const indexHtml = path.join(deps.clientDist, 'index.html');
  if (fs.existsSync(indexHtml)) {
    app.use(express.static(deps.clientDist, { index: false, maxAge: '1h' }));
    let page = fs.readFileSync(indexHtml, 'utf8').replace(/<html lang="[a-z]+">/, `<html lang="${deps.defaultLocale}" data-default-locale="${deps.defaultLocale}" data-background-effects="${deps.backgroundEffects === false ? 'off' : 'on'}">`);
    if (deps.noiseSuppression === false) page = page.replace('<html ', '<html data-noise-suppression="off" ');
    app.get(pages, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.type('html').send(page);
    });
  } else {
    deps.log.warn({ clientDist: deps.clientDist }, 'web client not built (run npm run setup); serving the API only');
    app.get(pages, (_req, res) => {
      res.status(503).type('text').send('The web client is not built: run `npm run setup`.');
    });
  }
  app.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'not found')));
  app.use(errorHandler(deps.log));
  return app;
}
