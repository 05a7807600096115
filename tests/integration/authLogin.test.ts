import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema, type MeAnswer } from '@nomades/shared';
import { agentKey } from '../../server/src/auth/agentIdentity.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { HttpBrowser } from '../helpers/HttpBrowser.js';
import { OidcProvider } from '../helpers/OidcProvider.js';
import { callbackUrl, loginAt, signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * The login round trip against a real OpenID provider (oidc-provider 9 on http://localhost, the
 * server on http://127.0.0.1: two sites), and every refusal of docs/spec/auth.md AUTH-1…3, 5, 7,
 * 8, 14: the callback must answer a login begun in this browser, once, from this issuer, with the
 * PKCE verifier of that login, for an agent of the allow-list.
 */
const login = suite<{ pair?: SignInPair; other?: OidcProvider }>('sign-in: the login round trip and its refusals');

login.before(async (ctx) => {
  ctx.pair = await startSignInPair({ OIDC_ALLOWED_EMAIL_DOMAINS: 'ville.example' });
  ctx.other = await OidcProvider.start({ rpUrl: ctx.pair.srv.url });
});
login.after(async (ctx) => {
  await ctx.pair?.close();
  await ctx.other?.close();
});

const me = async (url: string, cookie?: string): Promise<MeAnswer> =>
  meAnswerSchema.parse(await (await fetch(`${url}/api/me`, { headers: cookie ? { cookie } : {} })).json());
const sessionOf = (browser: HttpBrowser) => browser.jar.get('127.0.0.1', 'nomades_session');
const errorCode = (res: Response) => {
  const location = res.headers.get('location') ?? '';
  return location.startsWith('/connexion/erreur?code=') ? location.slice('/connexion/erreur?code='.length) : `not the error page: ${res.status} ${location}`;
};

login('AUTH-1/5/8/10 a login round trip: /api/me says who, with the name the provider writes; the cookie is HttpOnly, SameSite=Lax; no provider token reaches the browser', async (ctx) => {
  const { srv, op } = ctx.pair!;
  assert.equal(await me(srv.url), { signedIn: false, loginAvailable: true, preset: 'generic' });
  const { browser, callback, authorization } = await callbackUrl(srv.url, { account: 'camille', returnTo: '/room/abc' });
  // AUTH-1: code flow, PKCE S256, state and nonce of 32 random bytes, the exact redirect URI.
  const p = authorization.searchParams;
  assert.is(authorization.origin, op.issuer);
  assert.equal([p.get('response_type'), p.get('code_challenge_method'), p.get('redirect_uri'), p.get('scope')], ['code', 'S256', `${srv.url}/auth/callback`, 'openid profile email']);
  assert.match(p.get('state')!, /^[A-Za-z0-9_-]{43}$/);
  assert.match(p.get('nonce')!, /^[A-Za-z0-9_-]{43}$/);
  assert.is(p.get('acr_values'), null, 'generic: no acr demanded unless OIDC_ACR_VALUES');
  const answer = await browser.request(callback.href);
  assert.is(answer.status, 303);
  assert.is(answer.headers.get('location'), '/room/abc');
  const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith('nomades_session='))!;
  assert.match(setCookie, /; Path=\//);
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Lax/);
  assert.not.match(setCookie, /Secure/, 'plain http on loopback');
  assert.not.match(JSON.stringify([...answer.headers]) + (await answer.text()), /eyJ/, 'no JWT in the answer');
  const cookie = `nomades_session=${sessionOf(browser)}`;
  const who = await me(srv.url, cookie);
  assert.equal({ ...who, expiresAt: undefined }, { signedIn: true, name: 'Camille Martin', email: 'camille.martin@ville.example', preset: 'generic', expiresAt: undefined, ownersMayRecord: false });
  assert.not.match(JSON.stringify(who), /eyJ/);
  // What the rest of the server sees (SignedInAgent): the identity of AUTH-5, the groups.
  const agent = await srv.server.agents.current({ headers: { cookie } } as IncomingMessage);
  assert.is(agent?.key, agentKey(op.issuer, 'camille'));
  assert.match(agent!.key, /^u:[A-Za-z0-9_-]{22}$/);
  assert.equal(agent?.groups, ['dasco', 'conseil']);
  assert.is(agent?.sessionHash, crypto.createHash('sha256').update(sessionOf(browser)!).digest('base64url'));
});

login('AUTH-8 a new session id at each login; AUTH-2 two logins at once in one browser (two tabs) both end', async (ctx) => {
  const { srv } = ctx.pair!;
  const first = await signIn(srv.url, { account: 'camille' });
  const again = await signIn(srv.url, { account: 'camille', browser: first.browser });
  assert.is.not(again.sessionCookie, first.sessionCookie);
  assert.is(((await me(srv.url, first.cookieHeader)) as { signedIn: boolean }).signedIn, false, 'the browser\'s previous session ended');
  assert.ok((await me(srv.url, again.cookieHeader)).signedIn);
  const browser = new HttpBrowser();
  const tabA = await callbackUrl(srv.url, { account: 'camille', browser, returnTo: '/room/a' });
  const tabB = await callbackUrl(srv.url, { account: 'camille', browser, returnTo: '/room/b' });
  assert.is((await browser.request(tabB.callback.href)).headers.get('location'), '/room/b');
  assert.is((await browser.request(tabA.callback.href)).headers.get('location'), '/room/a');
});

login('AUTH-2/14 a forged state is refused (login_expired) and changes nothing: the real answer still ends the login', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'camille' });
  const forged = new URL(callback);
  forged.searchParams.set('state', crypto.randomBytes(32).toString('base64url'));
  const refused = await browser.request(forged.href);
  assert.is(refused.status, 303);
  assert.is(errorCode(refused), 'login_expired');
  assert.is(sessionOf(browser), undefined);
  const missing = new URL(callback);
  missing.searchParams.delete('state');
  assert.is(errorCode(await browser.request(missing.href)), 'login_expired', 'no state at all');
  assert.is(sessionOf(browser), undefined);
  assert.is((await browser.request(callback.href)).headers.get('location'), '/');
  assert.ok(sessionOf(browser));
});

login('AUTH-2 a callback is used once: replayed, in the same browser or another, it is refused', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'camille' });
  assert.is((await browser.request(callback.href)).headers.get('location'), '/');
  const first = sessionOf(browser);
  assert.is(errorCode(await browser.request(callback.href)), 'login_expired');
  assert.is(sessionOf(browser), first, 'the replay set no session');
  const elsewhere = new HttpBrowser();
  assert.is(errorCode(await elsewhere.request(callback.href)), 'login_expired');
  assert.is(sessionOf(elsewhere), undefined);
});

login('AUTH-2 a login begun in another browser is refused (login CSRF): the answer is bound to the browser that asked', async (ctx) => {
  const { srv } = ctx.pair!;
  const { callback } = await callbackUrl(srv.url, { account: 'dominique' });
  const victim = new HttpBrowser();
  assert.is(errorCode(await victim.request(callback.href)), 'login_expired');
  assert.is(sessionOf(victim), undefined);
});

login('AUTH-1 the PKCE verifier: a code obtained for another challenge is refused (provider_refused)', async (ctx) => {
  const { srv } = ctx.pair!;
  const otherChallenge = crypto.createHash('sha256').update(crypto.randomBytes(32).toString('base64url')).digest('base64url');
  const { browser, callback, authorization } = await callbackUrl(srv.url, {
    account: 'camille',
    authorize: (url) => {
      const changed = new URL(url);
      changed.searchParams.set('code_challenge', otherChallenge);
      return changed;
    },
  });
  assert.is.not(authorization.searchParams.get('code_challenge'), otherChallenge);
  assert.ok(callback.searchParams.get('code'), 'the provider gave a code');
  assert.is(errorCode(await browser.request(callback.href)), 'provider_refused');
  assert.is(sessionOf(browser), undefined);
});

login('AUTH-1 another issuer: a code of another provider, presented with this login\'s state, is refused (RFC 9207 iss)', async (ctx) => {
  const { srv } = ctx.pair!;
  const other = ctx.other!;
  const browser = new HttpBrowser();
  const started = await browser.request(`${srv.url}/auth/login`);
  const ours = new URL(started.headers.get('location')!);
  // The same request at the other provider (its client id), with our login's state and nonce.
  const theirs = new URL(`${other.issuer}/auth`);
  for (const [k, v] of ours.searchParams) theirs.searchParams.set(k, v);
  theirs.searchParams.set('client_id', other.clientId);
  const callback = await loginAt(browser, theirs, { account: 'camille' });
  assert.is(callback.searchParams.get('iss'), other.issuer);
  assert.is(callback.searchParams.get('state'), ours.searchParams.get('state'));
  assert.is(errorCode(await browser.request(callback.href)), 'provider_refused');
  assert.is(sessionOf(browser), undefined);
});

login('AUTH-7 an agent outside the allow-list is refused (not_allowed), no session', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'dominique' });
  assert.is(errorCode(await browser.request(callback.href)), 'not_allowed');
  assert.is(sessionOf(browser), undefined);
});

login('AUTH-14 the provider\'s own refusal (error=access_denied) goes to the error page, never back to the provider', async (ctx) => {
  const { srv } = ctx.pair!;
  const { browser, callback } = await callbackUrl(srv.url, { account: 'camille' });
  const denied = new URL(`${srv.url}/auth/callback`);
  denied.searchParams.set('error', 'access_denied');
  denied.searchParams.set('state', callback.searchParams.get('state')!);
  denied.searchParams.set('iss', callback.searchParams.get('iss')!);
  assert.is(errorCode(await browser.request(denied.href)), 'provider_refused');
});

login('AUTH-3 returnTo to another site (or anything but a same-origin path) returns home', async (ctx) => {
  const { srv } = ctx.pair!;
  for (const returnTo of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'room/abc']) {
    const { landedAt } = await signIn(srv.url, { account: 'camille', returnTo });
    assert.is(landedAt, `${srv.url}/`, returnTo);
  }
  assert.is((await signIn(srv.url, { account: 'camille', returnTo: '/room/x?name=a' })).landedAt, `${srv.url}/room/x?name=a`);
});

login('AUTH-14 the error page is the web client\'s (or says it is not built), never a stack trace', async (ctx) => {
  const res = await fetch(`${ctx.pair!.srv.url}/connexion/erreur?code=login_expired`);
  assert.ok([200, 503].includes(res.status), String(res.status));
  assert.match(res.headers.get('content-type') ?? '', /text\/(html|plain)/);
});

exitAfterRun(login);
