import type { RequestHandler, Router } from 'express';
import type { Config } from '../config/Config.js';
import type { Logger } from '../logging/logger.js';
import type { AuthStore } from '../store/AuthStore.js';
import type { AgentSessions } from './AgentSessions.js';
import { agentsRouter } from './agentsRouter.js';
import { authRouter, logoutReturn, type AuthRouterDeps } from './authRouter.js';
import { LoginFlow } from './LoginFlow.js';
import { LogoutTokenVerifier } from './LogoutTokenVerifier.js';
import { OidcClient } from './OidcClient.js';

/** What createHttpApp mounts for sign-in. */
export interface SignInRoutes {
  /** On /auth. */
  authApi: Router;
  /** On /api: /me, /agents/sessions. */
  agentsApi: Router;
  /** Before the web client's pages: the logout's return to PUBLIC_URL/ (AUTH-11). */
  logoutReturn: RequestHandler;
  /** Origins a form of the page may end up at (CSP form-action): the provider's, for the logout's redirect. */
  formActionOrigins: string[];
}

/** Whether cookies are `Secure` and `__Host-` prefixed: PUBLIC_URL is https. */
export const secureCookies = (config: Config): boolean => config.publicUrl?.startsWith('https:') ?? Boolean(config.tls);

/**
 * The sign-in routes (AUTH-n) from the configuration: with OIDC_ISSUER, the OpenID client, the
 * login flow and the back-channel verifier; without, the same routes answering `not_configured`
 * and `GET /api/me` saying sign-in is unavailable.
 */
export function signInRoutes(options: {
  config: Config;
  store: AuthStore;
  sessions: AgentSessions;
  adminKey: string;
  publicUrl: () => string;
  log: Logger;
  onLogin?: AuthRouterDeps['onLogin'];
}): SignInRoutes {
  const { config, store, sessions, log } = options;
  const oidc = config.auth.oidc;
  const secure = secureCookies(config);
  const client = oidc ? new OidcClient(oidc, log) : undefined;
  const flow = oidc && client ? new LoginFlow({ client, oidc, store, sessions, secure }) : undefined;
  const verifier = client
    ? new LogoutTokenVerifier({ store, issuer: client.issuer, clientId: client.clientId, jwksUri: () => client.jwksUri() })
    : undefined;
  const ownersMayRecord = (config as Config & { ownersMayRecord?: boolean }).ownersMayRecord === true;
  return {
    authApi: authRouter({ sessions, flow, client, verifier, publicUrl: options.publicUrl, secure, log, onLogin: options.onLogin }),
    agentsApi: agentsRouter({ sessions, adminKey: options.adminKey, preset: oidc?.preset ?? null, ownersMayRecord: () => ownersMayRecord }),
    logoutReturn: logoutReturn(secure),
    formActionOrigins: oidc ? [new URL(oidc.issuer).origin] : [],
  };
}
