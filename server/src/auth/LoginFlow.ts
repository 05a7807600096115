import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUTH_LIMITS } from '@nomades/shared';
import type { OidcConfig } from '../config/authConfig.js';
import type { AuthStore } from '../store/AuthStore.js';
import type { AgentSessions } from './AgentSessions.js';
import { AuthFailure } from './AuthFailure.js';
import { appendCookie, cookieName, hashOf, isRandomId, randomId, readCookie, setCookie } from './authCookies.js';
import type { OidcClient } from './OidcClient.js';

/** AUTH-3: a same-origin path: `/` followed by anything but `/` or `\`; else home. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) return '/';
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  return value;
}

/**
 * A login from its start to its session (AUTH-1…3): `begin` keeps the login in progress in the
 * shared store, keyed by a hash of its `state` and bound to this browser by a short-lived cookie
 * (a random value whose hash the row keeps); `finish` takes it once (deleted before the code is
 * exchanged), checks the browser, lets the OidcClient check the provider's answer, and opens a
 * new session.
 */
export class LoginFlow {
  readonly #client: OidcClient;
  readonly #oidc: OidcConfig;
  readonly #store: AuthStore;
  readonly #sessions: AgentSessions;
  readonly #secure: boolean;
  readonly #cookie: string;

  constructor(options: { client: OidcClient; oidc: OidcConfig; store: AuthStore; sessions: AgentSessions; secure: boolean }) {
    this.#client = options.client;
    this.#oidc = options.oidc;
    this.#store = options.store;
    this.#sessions = options.sessions;
    this.#secure = options.secure;
    this.#cookie = cookieName('nomades_login', options.secure);
  }

  /** The provider's authorization URL for a new login; sets the browser's login cookie. */
  async begin(req: IncomingMessage, res: ServerResponse, returnTo: string): Promise<string> {
    const start = await this.#client.begin();
    const existing = readCookie(req, this.#cookie);
    const browser = isRandomId(existing) ? existing : randomId();
    const now = Date.now();
    await this.#store.addLogin(
      {
        stateHash: hashOf(start.state),
        browserHash: hashOf(browser),
        nonce: start.nonce,
        codeVerifier: start.codeVerifier,
        returnTo,
        createdAt: now,
        expiresAt: now + AUTH_LIMITS.pendingLoginTtlMs,
      },
      AUTH_LIMITS.pendingLoginsPerBrowser,
    );
    appendCookie(res, setCookie(this.#cookie, browser, { maxAgeS: AUTH_LIMITS.pendingLoginTtlMs / 1000, secure: this.#secure }));
    return start.url;
  }

  /** The callback (its query string as received): a new session and where to go, or AuthFailure. */
  async finish(req: IncomingMessage, res: ServerResponse, query: string): Promise<string> {
    const params = new URLSearchParams(query);
    const state = params.get('state');
    if (!state || state.length > 512) throw new AuthFailure('login_expired', 'no state');
    const login = await this.#store.takeLogin(hashOf(state), Date.now());
    if (!login) throw new AuthFailure('login_expired', 'no login in progress for this state (forged, used or expired)');
    const browser = readCookie(req, this.#cookie);
    if (!isRandomId(browser) || hashOf(browser) !== login.browserHash) throw new AuthFailure('login_expired', 'the login was begun in another browser');
    const error = params.get('error');
    if (error) throw new AuthFailure('provider_refused', `the provider answered ${error.slice(0, 64)}`);
    // AUTH-1: the URL the provider was given (PUBLIC_URL), never one made of this request's Host.
    const currentUrl = new URL(`${this.#client.redirectUri}?${params.toString()}`);
    const result = await this.#client.finish(currentUrl, { state, nonce: login.nonce, codeVerifier: login.codeVerifier });
    await this.#sessions.open(result.identity, result.idToken, this.#oidc.preset, req, res);
    return login.returnTo;
  }
}
