import crypto from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import type { HttpBrowser } from '../helpers/HttpBrowser.js';
import { foreignKey } from '../helpers/OidcProvider.js';
import { signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * Ending sessions (docs/spec/auth.md AUTH-11, AUTH-12): the logout from a page of this service
 * (never from another site) deletes the session and sends the browser to the provider's
 * end-session endpoint with `id_token_hint` and a `state` checked on return; the provider's
 * back-channel logout ends the sessions of its logout token, and a forged, stale or replayed token
 * changes nothing.
 */
const logout = suite<{ pair?: SignInPair; ended: string[][] }>('sign-in: logout and back-channel logout', { ended: [] });

logout.before(async (ctx) => {
  ctx.pair = await startSignInPair({ OIDC_ALLOWED_EMAIL_DOMAINS: 'ville.example' });
  ctx.pair.srv.server.agents.on('ended', (hashes) => ctx.ended.push([...hashes]));
});
logout.after(async (ctx) => {
  await ctx.pair?.close();
});

const signedIn = async (url: string, cookie: string) => meAnswerSchema.parse(await (await fetch(`${url}/api/me`, { headers: { cookie } })).json()).signedIn;
const hashOf = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');

/** The provider's logout page (auto-confirmed: its form posts itself), posted as a browser would. */
async function confirmAtProvider(browser: HttpBrowser, page: Response, pageUrl: string): Promise<Response> {
  const html = await page.text();
  const action = /action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(action && xsrf, 'the provider\'s logout form');
  return browser.request(new URL(action!, pageUrl).href, { method: 'POST', body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString() });
}

logout('AUTH-11 a cross-site logout changes nothing (Origin of another site, Sec-Fetch-Site cross-site, neither)', async (ctx) => {
  const { srv } = ctx.pair!;
  const { cookieHeader } = await signIn(srv.url, { account: 'camille' });
  for (const headers of <Array<Record<string, string>>>[{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: srv.url }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site', origin: 'null' }, {}]) {
    const res = await fetch(`${srv.url}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader, ...headers } });
    assert.is(res.status, 403, JSON.stringify(headers));
    assert.is(res.headers.getSetCookie().length, 0);
    assert.ok(await signedIn(srv.url, cookieHeader), 'still signed in');
  }
  const get = await fetch(`${srv.url}/auth/logout`, { redirect: 'manual', headers: { cookie: cookieHeader } });
  assert.is(get.status, 404, 'no logout by GET');
  assert.ok(await signedIn(srv.url, cookieHeader));
  assert.equal(ctx.ended, []);
});

logout('AUTH-11 logout: the session ends (its meetings: `ended`), then the provider\'s end-session endpoint with id_token_hint and state; the state is checked on return', async (ctx) => {
  const { srv, op } = ctx.pair!;
  const { browser, cookieHeader, sessionCookie } = await signIn(srv.url, { account: 'camille' });
  const res = await browser.request(`${srv.url}/auth/logout`, { method: 'POST', headers: { origin: srv.url, 'sec-fetch-site': 'same-origin' } });
  assert.is(res.status, 303);
  const to = new URL(res.headers.get('location')!);
  assert.is(`${to.origin}${to.pathname}`, `${op.issuer}/session/end`);
  assert.match(to.searchParams.get('id_token_hint') ?? '', /^eyJ/);
  assert.match(to.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.is(to.searchParams.get('post_logout_redirect_uri'), `${srv.url}/`);
  assert.ok(res.headers.getSetCookie().some((c) => /^nomades_session=;.*Max-Age=0/.test(c)), 'the session cookie is cleared');
  assert.is(await signedIn(srv.url, cookieHeader), false, 'the session row is gone');
  assert.equal(ctx.ended, [[hashOf(sessionCookie)]], 'LOGOUT_ENDS_MEETINGS (default on): its meetings end');
  // At the provider: its (auto-confirmed) logout page, then back to PUBLIC_URL/ with the state.
  const page = await browser.request(to.href);
  assert.is(page.status, 200);
  const back = await confirmAtProvider(browser, page, to.href);
  assert.is(back.status, 303);
  const returned = new URL(back.headers.get('location')!);
  assert.is(`${returned.origin}${returned.pathname}`, `${srv.url}/`);
  assert.is(returned.searchParams.get('state'), to.searchParams.get('state'));
  const home = await browser.request(returned.href);
  assert.is(home.status, 303);
  assert.is(home.headers.get('location'), '/', 'the state matched: home, the address cleaned');
  assert.is(browser.jar.get('127.0.0.1', 'nomades_logout'), undefined, 'the logout cookie is cleared');
  // The same return again (the cookie is gone), or with another state: the error page.
  const again = await browser.request(returned.href);
  assert.is(again.headers.get('location'), '/connexion/erreur?code=login_expired');
  const forged = await fetch(`${srv.url}/?state=forged`, { redirect: 'manual', headers: { cookie: `nomades_logout=${to.searchParams.get('state')}` } });
  assert.is(forged.headers.get('location'), '/connexion/erreur?code=login_expired');
  // The provider's back-channel call for this logout found no session left: answered 200 all the same.
  assert.ok(op.logoutTokensSent.length >= 1 && op.logoutTokensSent.every((t) => t.status === 200), JSON.stringify(op.logoutTokensSent.map((t) => t.status)));
  // Without a session, a logout only goes home.
  const none = await fetch(`${srv.url}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { origin: srv.url } });
  assert.is(none.headers.get('location'), '/');
});

logout('AUTH-12 a logout at the provider reaches this server by the back channel and ends the session', async (ctx) => {
  const { srv, op } = ctx.pair!;
  ctx.ended.length = 0;
  const { browser, cookieHeader, sessionCookie } = await signIn(srv.url, { account: 'camille' });
  const other = await signIn(srv.url, { account: 'alix' });
  const sent = op.logoutTokensSent.length;
  const endUrl = `${op.issuer}/session/end`;
  const back = await confirmAtProvider(browser, await browser.request(endUrl), endUrl);
  assert.ok([200, 303].includes(back.status), String(back.status));
  assert.is(op.logoutTokensSent.length, sent + 1);
  assert.is(op.logoutTokensSent.at(-1)!.status, 200);
  assert.is(await signedIn(srv.url, cookieHeader), false);
  assert.equal(ctx.ended, [[hashOf(sessionCookie)]]);
  assert.ok(await signedIn(srv.url, other.cookieHeader), 'another agent\'s session is untouched');
});

logout('AUTH-12 forged, stale, misdirected or malformed logout tokens are refused (400, no-store) and change nothing; a replay too', async (ctx) => {
  const { srv, op } = ctx.pair!;
  ctx.ended.length = 0;
  const agent = await signIn(srv.url, { account: 'alix' });
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    fetch(`${srv.url}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': type }, body });
  const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();
  const now = Math.floor(Date.now() / 1000);
  const stranger = await foreignKey();
  const bad: Array<[string, Promise<string> | string]> = [
    ['signed with another key', op.signLogoutToken({ sub: 'alix' }, { key: stranger })],
    ['another key, without a kid', foreignKey().then((k) => op.signLogoutToken({ sub: 'alix' }, { key: { ...k, kid: undefined } }))],
    ['another audience', op.signLogoutToken({ sub: 'alix', aud: 'someone-else' })],
    ['another issuer', op.signLogoutToken({ sub: 'alix' }, { issuer: 'http://localhost:1' })],
    ['iat 5 minutes old', op.signLogoutToken({ sub: 'alix', iat: now - 300 })],
    ['no iat', op.signLogoutToken({ sub: 'alix', iat: undefined })],
    ['a nonce', op.signLogoutToken({ sub: 'alix', nonce: 'n' })],
    ['no event', op.signLogoutToken({ sub: 'alix', events: undefined })],
    ['another event', op.signLogoutToken({ sub: 'alix', events: { 'http://example/other': {} } })],
    ['neither sub nor sid', op.signLogoutToken({})],
    ['no jti', op.signLogoutToken({ sub: 'alix', jti: undefined })],
    ['typ of an access token', op.signLogoutToken({ sub: 'alix' }, { typ: 'at+jwt' })],
    ['not a JWT', 'not-a-jwt'],
  ];
  for (const [what, token] of bad) {
    const res = await post(form(await token));
    assert.is(res.status, 400, what);
    assert.is(res.headers.get('cache-control'), 'no-store', what);
    assert.ok(await signedIn(srv.url, agent.cookieHeader), `${what}: still signed in`);
  }
  assert.is((await post(JSON.stringify({ logout_token: await op.signLogoutToken({ sub: 'alix' }) }), 'application/json')).status, 400, 'JSON, not a form');
  assert.is((await post('')).status, 400, 'no token');
  assert.equal(ctx.ended, []);

  const valid = await op.signLogoutToken({ sub: 'alix' });
  const ok = await post(form(valid));
  assert.is(ok.status, 200);
  assert.is(ok.headers.get('cache-control'), 'no-store');
  assert.is(await signedIn(srv.url, agent.cookieHeader), false, 'a valid token (sub) ends the agent\'s sessions');
  assert.is(ctx.ended.length, 1);
  assert.ok(ctx.ended[0].includes(hashOf(agent.sessionCookie)), 'every session of that subject');
  const next = await signIn(srv.url, { account: 'alix' });
  const replay = await post(form(valid));
  assert.is(replay.status, 400, 'the same jti again');
  assert.ok(await signedIn(srv.url, next.cookieHeader), 'the replay ended nothing');
});

exitAfterRun(logout);
