import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * Without OIDC_ISSUER sign-in is off (docs/spec/auth.md): the server behaves as before, /api/me
 * says sign-in is unavailable, and the sign-in routes only say `not_configured`.
 */
const off = suite<{ srv?: TestServer }>('sign-in off (no OIDC_ISSUER)');

off.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
off.after(async (ctx) => {
  await ctx.srv?.close();
});

off('AUTH-10 /api/me: not signed in, sign-in unavailable, no preset; never cached', async (ctx) => {
  const res = await fetch(`${ctx.srv!.url}/api/me`);
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), 'no-store');
  assert.equal(meAnswerSchema.parse(await res.json()), { signedIn: false, loginAvailable: false, preset: null });
});

off('AUTH-14 /auth/login and /auth/callback go to the error page with not_configured; a back-channel logout is 400; a logout goes home', async (ctx) => {
  const url = ctx.srv!.url;
  for (const path of ['/auth/login?returnTo=/room/a', '/auth/callback?code=x&state=y']) {
    const res = await fetch(`${url}${path}`, { redirect: 'manual' });
    assert.is(res.status, 303, path);
    assert.is(res.headers.get('location'), '/connexion/erreur?code=not_configured');
    assert.is(res.headers.getSetCookie().length, 0);
  }
  const backchannel = await fetch(`${url}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'logout_token=x' });
  assert.is(backchannel.status, 400);
  const logout = await fetch(`${url}/auth/logout`, { method: 'POST', redirect: 'manual', headers: { origin: url } });
  assert.is(logout.headers.get('location'), '/');
  const forged = await fetch(`${url}/api/me`, { headers: { cookie: `nomades_session=${'a'.repeat(43)}` } });
  assert.is(((await forged.json()) as { signedIn: boolean }).signedIn, false);
});

exitAfterRun(off);
