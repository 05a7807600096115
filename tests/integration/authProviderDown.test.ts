import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { OidcProvider } from '../helpers/OidcProvider.js';
import { sampleValue } from '../helpers/promText.js';
import { scrape } from '../helpers/scrape.js';
import { callbackUrl, signIn } from '../helpers/signIn.js';
import { freePort } from '../helpers/signInServer.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * AUTH-14/15: a provider that cannot be reached does not stop the server; a login meanwhile goes
 * to the error page (`provider_unavailable`, never retried by itself), the next one after the
 * provider is back works (discovery retried), and a provider lost between the login and the
 * callback is `provider_unavailable` too. The logins are counted by outcome (nomades_logins_total).
 */
const down = suite<{ srv?: TestServer; op?: OidcProvider; opPort: number }>('sign-in: the provider cannot be reached', { opPort: 0 });

down.before(async (ctx) => {
  ctx.opPort = await freePort();
  const port = await freePort();
  ctx.srv = await startTestServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OIDC_ISSUER: `http://localhost:${ctx.opPort}`,
    OIDC_CLIENT_ID: 'nomades-test',
    OIDC_CLIENT_SECRET: SECRET,
  });
});
down.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.op?.close();
});

const SECRET = 'the-secret-of-the-test-client';
const location = async (res: Promise<Response>) => (await res).headers.get('location');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

down('AUTH-15 the server starts without its provider; a login meanwhile: provider_unavailable, and no retry loop', async (ctx) => {
  const { srv } = ctx;
  assert.equal(meAnswerSchema.parse(await (await fetch(`${srv!.url}/api/me`)).json()), { signedIn: false, loginAvailable: true, preset: 'generic' });
  for (let i = 0; i < 2; i++) {
    const res = fetch(`${srv!.url}/auth/login?returnTo=/room/a`, { redirect: 'manual' });
    assert.is(await location(res), '/connexion/erreur?code=provider_unavailable');
  }
});

down('AUTH-15 once the provider answers, the next login works (discovery retried)', async (ctx) => {
  const { srv } = ctx;
  ctx.op = await OidcProvider.start({ rpUrl: srv!.url, port: ctx.opPort, clientSecret: SECRET });
  await sleep(2_100); // a failed discovery is retried at a login at least 2 s later
  const { cookieHeader } = await signIn(srv!.url, { account: 'camille' });
  assert.ok(meAnswerSchema.parse(await (await fetch(`${srv!.url}/api/me`, { headers: { cookie: cookieHeader } })).json()).signedIn);
});

down('AUTH-14 the provider lost between the login and the callback: provider_unavailable, no session', async (ctx) => {
  const { srv } = ctx;
  const { browser, callback } = await callbackUrl(srv!.url, { account: 'camille' });
  await ctx.op!.close();
  const res = await browser.request(callback.href);
  assert.is(res.headers.get('location'), '/connexion/erreur?code=provider_unavailable');
  assert.is(browser.jar.get('127.0.0.1', 'nomades_session'), undefined);
});

down('nomades_logins_total counts the logins by outcome', async (ctx) => {
  const families = await scrape(ctx.srv!.url);
  assert.is(sampleValue(families, 'nomades_logins_total', { outcome: 'ok' }), 1);
  assert.is(sampleValue(families, 'nomades_logins_total', { outcome: 'provider_unavailable' }), 3);
  assert.is(sampleValue(families, 'nomades_logins_total', { outcome: 'not_allowed' }), 0);
});

exitAfterRun(down);
