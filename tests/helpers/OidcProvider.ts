import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';

/** A test user of the provider: the claims it gives (AUTH-5, AUTH-7). */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  usual_name?: string;
  name?: string;
  groups?: string[];
  siret?: string;
  idp_id?: string;
}

export const TEST_ACCOUNTS: Record<string, TestAccount> = {
  /** In the allow-list's domain, with groups and a ProConnect-like organisation. */
  camille: { email: 'Camille.Martin@ville.example', email_verified: true, given_name: 'Camille', family_name: 'Martin', groups: ['dasco', 'conseil'], siret: '21750001600019', idp_id: 'idp-ville' },
  /** Outside the allow-list (another domain, another organisation). */
  dominique: { email: 'dominique@ailleurs.example', email_verified: true, given_name: 'Dominique', family_name: 'Durand', siret: '11111111111111', idp_id: 'idp-ailleurs' },
  /** A ProConnect agent: `usual_name` rather than `family_name`. */
  alix: { email: 'alix.bernard@ville.example', given_name: 'Alix', usual_name: 'Bernard', siret: '21750001600019', idp_id: 'idp-ville' },
  /** The rooms agents run (OWN-2): a member by email, a host by group, an agent with no entry. */
  lea: { email: 'Lea.Petit@ville.example', email_verified: true, given_name: 'Léa', family_name: 'Petit', groups: ['urbanisme'] },
  sacha: { email: 'sacha.roux@ville.example', email_verified: true, given_name: 'Sacha', family_name: 'Roux', groups: ['dsi'] },
  paul: { email: 'paul.durand@ville.example', email_verified: true, given_name: 'Paul', family_name: 'Durand', groups: ['finances'] },
};

export interface OidcProviderOptions {
  /** The relying party's base URL (PUBLIC_URL of the nomades server): its exact redirect URIs. */
  rpUrl: string;
  clientId?: string;
  /** Default: a random one. */
  clientSecret?: string;
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
  /** Listen on this port (default: a free one), e.g. to come up where a server already expects it. */
  port?: number;
  /** The userinfo as a signed JWT (`application/jwt`), as ProConnect answers. */
  signedUserinfo?: boolean;
  /** Keep the provider's own essential-acr check (default: off, so that it issues whatever acr the login says). */
  enforceAcr?: boolean;
}

/**
 * A real OpenID provider (panva's oidc-provider 9, the one ProConnect runs) in this process on
 * http://localhost:<free port>, for the sign-in tests: one confidential client with exact redirect
 * URIs, the accounts of TEST_ACCOUNTS, tiny pages of our own (no outside fonts) for the login
 * (`account`, `acr`) and an auto-confirmed logout, back-channel logout to the client (its SSRF guard
 * bypassed: the server listens on loopback), and what it sent recorded in `logoutTokensSent`.
 */
export class OidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Back-channel logout tokens delivered, with the status the RP answered. */
  readonly logoutTokensSent: Array<{ token: string; status: number }> = [];
  /** The content type of each userinfo answer (`application/jwt` when signed). */
  readonly userinfoTypes: string[] = [];
  readonly #server: http.Server;
  readonly #privateJwk: JWK;
  #closed = false;

  private constructor(issuer: string, client: { id: string; secret: string }, server: http.Server, privateJwk: JWK) {
    this.issuer = issuer;
    this.clientId = client.id;
    this.clientSecret = client.secret;
    this.#server = server;
    this.#privateJwk = privateJwk;
  }

  static async start(options: OidcProviderOptions): Promise<OidcProvider> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: 'ES256', use: 'sig' };
    const self = new OidcProvider(issuer, { id: options.clientId ?? 'nomades-test', secret: options.clientSecret ?? crypto.randomBytes(24).toString('base64url') }, server, privateJwk);
    const provider = self.#provider(options);
    const callback = provider.callback();
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        self.#interaction(provider, req, res, url).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
      } else {
        if (url.pathname === '/me') res.on('finish', () => self.userinfoTypes.push(String(res.getHeader('content-type') ?? '')));
        callback(req, res);
      }
    });
    return self;
  }

  #provider(options: OidcProviderOptions): Provider {
    const rp = options.rpUrl.replace(/\/+$/, '');
    const policy = interactionPolicy.base();
    if (!options.enforceAcr) {
      // The provider's own acr check re-prompts the login: without it, it issues the acr the login gives.
      const checks = policy.get('login').checks;
      for (const name of ['essential_acrs', 'essential_acr']) checks.remove(name);
    }
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [`${rp}/auth/callback`],
          post_logout_redirect_uris: [`${rp}/`],
          backchannel_logout_uri: `${rp}/auth/backchannel-logout`,
          backchannel_logout_session_required: true,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: options.clientAuth ?? 'client_secret_basic',
          id_token_signed_response_alg: 'ES256',
          ...(options.signedUserinfo ? { userinfo_signed_response_alg: 'ES256' } : {}),
        },
      ],
      jwks: { keys: [this.#privateJwk] },
      cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
      findAccount: (_ctx: unknown, id: string) =>
        TEST_ACCOUNTS[id] ? { accountId: id, claims: () => ({ sub: id, ...TEST_ACCOUNTS[id] }) } : undefined,
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['given_name', 'family_name', 'name', 'groups'],
        given_name: ['given_name'],
        usual_name: ['usual_name'],
        uid: [],
        siret: ['siret'],
        idp_id: ['idp_id'],
      },
      acrValues: ['eidas1', 'eidas1-mfa', 'eidas2', 'eidas3', 'mfa', 'pwd'],
      pkce: { required: () => true },
      ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      features: {
        devInteractions: { enabled: false },
        claimsParameter: { enabled: true },
        backchannelLogout: { enabled: true },
        jwtUserinfo: { enabled: Boolean(options.signedUserinfo) },
        rpInitiatedLogout: {
          enabled: true,
          // Auto-confirmed: the form posts itself (and a fetch-based test posts it).
          logoutSource: (ctx: { body: string }, form: string) => {
            ctx.body = `<!doctype html><html lang="fr"><title>Déconnexion</title>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}<script>document.forms[0].submit()</script></html>`;
          },
          postLogoutSuccessSource: (ctx: { body: string }) => {
            ctx.body = '<!doctype html><html lang="fr"><title>Déconnecté</title><p>Vous êtes déconnecté.</p></html>';
          },
        },
      },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`, policy },
      // No consent screen: a grant of what the client asked for, as ProConnect does.
      loadExistingGrant: async (ctx: any) => {
        const { Grant } = ctx.oidc.provider;
        const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        const grant = (grantId && (await Grant.find(grantId))) || new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
        grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
        await grant.save();
        return grant;
      },
      renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
        ctx.type = 'html';
        ctx.body = `<!doctype html><html lang="fr"><title>Erreur</title><p id="error">${escapeHtml(out.error ?? '')}</p></html>`;
      },
      // Its SSRF guard refuses loopback: the test server is on 127.0.0.1.
      fetch: async (url: string, { dispatcher: _dispatcher, ...init }: RequestInit & { dispatcher?: unknown }) => {
        const response = await globalThis.fetch(url, init);
        const body = init.body instanceof URLSearchParams ? init.body : undefined;
        const token = body?.get('logout_token');
        if (token) this.logoutTokensSent.push({ token, status: response.status });
        return response;
      },
    });
    return provider;
  }

  /** The login page (account, acr) and its POST: our own, in French, no outside resources. */
  async #interaction(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && url.pathname.endsWith('/login')) {
      const form = new URLSearchParams(await readBody(req));
      const account = form.get('account') ?? '';
      if (!TEST_ACCOUNTS[account]) {
        res.statusCode = 400;
        return void res.end('unknown account');
      }
      const acr = form.get('acr') || 'eidas1';
      const amr = acr === 'eidas1' ? ['pwd'] : ['pwd', 'otp', 'mfa'];
      return provider.interactionFinished(req, res, { login: { accountId: account, acr, amr } }, { mergeWithLastSubmission: false });
    }
    const options = Object.keys(TEST_ACCOUNTS).map((a) => `<option value="${a}">${a}</option>`).join('');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head><body><main>
<h1>Connexion (${escapeHtml(details.prompt.name)})</h1>
<form method="post" action="/interaction/${details.uid}/login">
<label for="account">Identifiant</label> <select id="account" name="account">${options}</select>
<label for="acr">Niveau</label> <select id="acr" name="acr"><option value="eidas1">mot de passe (eidas1)</option><option value="eidas2">mot de passe et code (eidas2)</option></select>
<button type="submit">Se connecter</button>
</form></main></body></html>`);
  }

  /** A logout token signed with the provider's own key (AUTH-12 tests); `claims` override the valid defaults. */
  async signLogoutToken(claims: Record<string, unknown>, options: { typ?: string; key?: JWK; issuer?: string } = {}): Promise<string> {
    const key = options.key ?? this.#privateJwk;
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: options.issuer ?? this.issuer, aud: this.clientId, iat: now, exp: now + 120, jti: crypto.randomUUID(), events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, ...claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete (payload as Record<string, unknown>)[name];
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: options.typ ?? 'logout+jwt' }).sign(await importJWK(key, 'ES256'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Another ES256 key, the provider does not publish (a forged token). */
export async function foreignKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: crypto.randomUUID() };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
      if (data.length > 16_384) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
