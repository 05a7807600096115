import * as client from 'openid-client';
import type { OidcConfig } from '../config/authConfig.js';
import type { Logger } from '../logging/logger.js';
import { AuthFailure } from './AuthFailure.js';
import { identityOf, type AgentIdentity } from './agentIdentity.js';

/** Seconds an HTTP call to the provider may take (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_S = 10;
/** After a failed discovery, the next login tries again, but not sooner than this (AUTH-15). */
const RETRY_AFTER_MS = 2_000;

/** What a login needs to remember until its callback (AUTH-2). */
export interface LoginStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A login the provider confirmed and our rules accepted. */
export interface LoginResult {
  identity: AgentIdentity;
  idToken: string;
}

/**
 * The relying party (openid-client 6) of one provider, OIDC_ISSUER (AUTH-1): discovery at the
 * first login (retried at the next one while the provider cannot be reached, AUTH-15), the
 * authorization URL with PKCE S256, `state`, `nonce` and the `acr` demanded (AUTH-4, AUTH-6), the
 * code exchange with every check openid-client makes (issuer, RFC 9207 `iss`, audience, nonce,
 * PKCE), the userinfo, then our own checks (AUTH-5…7), and the end-session URL (AUTH-11).
 */
export class OidcClient {
  readonly #oidc: OidcConfig;
  readonly #log: Logger;
  #configuration?: Promise<client.Configuration>;
  #failedAt = 0;

  constructor(oidc: OidcConfig, log: Logger) {
    this.#oidc = oidc;
    this.#log = log;
  }

  get redirectUri(): string {
    return `${this.#oidc.publicUrl}/auth/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.#oidc.publicUrl}/`;
  }

  /** The discovered configuration; AuthFailure `provider_unavailable` while it cannot be had. */
  async configuration(): Promise<client.Configuration> {
    if (!this.#configuration) {
      if (Date.now() - this.#failedAt < RETRY_AFTER_MS) throw new AuthFailure('provider_unavailable', 'discovery failed a moment ago');
      const o = this.#oidc;
      const auth = o.clientAuth === 'client_secret_post' ? client.ClientSecretPost(o.clientSecret) : client.ClientSecretBasic(o.clientSecret);
      this.#configuration = client.discovery(new URL(o.issuer), o.clientId, { redirect_uris: [this.redirectUri] }, auth, {
        timeout: PROVIDER_TIMEOUT_S,
        execute: o.insecure ? [client.allowInsecureRequests] : [],
      });
      this.#configuration.catch((error: unknown) => {
        this.#configuration = undefined;
        this.#failedAt = Date.now();
        this.#log.warn({ err: error, issuer: o.issuer }, 'OpenID provider discovery failed: sign-in unavailable until it succeeds');
      });
    }
    try {
      return await this.#configuration;
    } catch (error) {
      throw new AuthFailure('provider_unavailable', 'discovery failed', { cause: error });
    }
  }

  async begin(): Promise<LoginStart> {
    const config = await this.configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const params: Record<string, string> = {
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: this.#oidc.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    const acr = this.#oidc.acrValues;
    if (acr.length && this.#oidc.preset === 'proconnect') {
      params.claims = JSON.stringify({ id_token: { acr: { essential: true, values: acr }, amr: null } });
    } else if (acr.length) {
      params.acr_values = acr.join(' ');
    }
    return { url: client.buildAuthorizationUrl(config, params).href, state, nonce, codeVerifier };
  }

  /** The callback's URL (as PUBLIC_URL names it) with the login it answers: every check, or AuthFailure. */
  async finish(currentUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<LoginResult> {
    const config = await this.configuration();
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new AuthFailure('provider_refused', 'no ID token');
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { identity: identityOf(this.#oidc, claims, userinfo), idToken: tokens.id_token };
    } catch (error) {
      throw failureOf(error);
    }
  }

  /** AUTH-11: where the browser goes to end its session at the provider; undefined when it offers none. */
  async endSessionUrl(idToken: string, state: string): Promise<string | undefined> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, { id_token_hint: idToken, state, post_logout_redirect_uri: this.postLogoutRedirectUri }).href;
  }

  /** The provider's signing keys (AUTH-12). */
  async jwksUri(): Promise<string | undefined> {
    return (await this.configuration()).serverMetadata().jwks_uri;
  }

  get issuer(): string {
    return this.#oidc.issuer;
  }

  get clientId(): string {
    return this.#oidc.clientId;
  }
}

/** Network failures are `provider_unavailable`; any other refusal (an `error`, a check) `provider_refused`. */
function failureOf(error: unknown): AuthFailure {
  if (error instanceof AuthFailure) return error;
  const cause = (error as { cause?: unknown })?.cause;
  const name = (error as Error)?.name;
  const network =
    name === 'TimeoutError' || name === 'AbortError' || (error instanceof TypeError && /fetch failed/i.test(error.message)) ||
    (error instanceof client.ClientError && (error.code === 'OAUTH_TIMEOUT' || (cause instanceof TypeError && /fetch failed/i.test(cause.message))));
  // The provider's own words (ResponseBodyError, AuthorizationResponseError): `error` and its description.
  const said = error as { error?: unknown; error_description?: unknown };
  const words = typeof said?.error === 'string' ? ` (${said.error}${typeof said.error_description === 'string' ? `: ${said.error_description}` : ''})` : '';
  const message = `${error instanceof Error ? error.message : String(error)}${words}`;
  return new AuthFailure(network ? 'provider_unavailable' : 'provider_refused', message.slice(0, 200), { cause: error });
}
