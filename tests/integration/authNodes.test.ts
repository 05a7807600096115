import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { OidcProvider } from '../helpers/OidcProvider.js';
import { Postgres } from '../helpers/Postgres.js';
import { callbackUrl } from '../helpers/signIn.js';
import { freePort } from '../helpers/signInServer.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * AUTH-2/8/12 on several nodes: two servers on one PostgreSQL behind one PUBLIC_URL (as a front
 * would spread requests): a login begun on one node ends on the other, the session is seen by both,
 * a logout on one ends it for both, and a back-channel logout token used on one is refused on the
 * other (its jti is in the shared store).
 */
const nodes = suite<{ pg?: Postgres; op?: OidcProvider; a?: TestServer; b?: TestServer }>('sign-in on two nodes sharing PostgreSQL');

nodes.before(async (ctx) => {
  ctx.pg = await Postgres.start();
  const database = await ctx.pg.database();
  const [portA, portB] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${portA}`;
  ctx.op = await OidcProvider.start({ rpUrl: publicUrl });
  const env = { PUBLIC_URL: publicUrl, DATABASE_URL: database, OIDC_ISSUER: ctx.op.issuer, OIDC_CLIENT_ID: ctx.op.clientId, OIDC_CLIENT_SECRET: ctx.op.clientSecret };
  ctx.a = await startTestServer({ ...env, PORT: String(portA) });
  ctx.b = await startTestServer({ ...env, PORT: String(portB) });
});
nodes.after(async (ctx) => {
  await ctx.a?.close();
  await ctx.b?.close();
  await ctx.op?.close();
  ctx.pg?.close();
});

/** Where the node listens (its `url` is the shared PUBLIC_URL). */
const listenUrl = (srv: TestServer) => `http://127.0.0.1:${srv.server.config.port}`;
const signedIn = async (base: string, cookie: string) => meAnswerSchema.parse(await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()).signedIn;

nodes('AUTH-2 a login begun on one node ends on the other; AUTH-8 both see the session; AUTH-11 a logout on either ends it for both', async (ctx) => {
  const [a, b] = [listenUrl(ctx.a!), listenUrl(ctx.b!)];
  assert.is.not(a, b);
  const { browser, callback } = await callbackUrl(a, { account: 'camille', returnTo: '/room/x' });
  const onB = new URL(callback.pathname + callback.search, b);
  const res = await browser.request(onB.href);
  assert.is(res.headers.get('location'), '/room/x');
  const cookie = `nomades_session=${browser.jar.get('127.0.0.1', 'nomades_session')}`;
  assert.ok(await signedIn(a, cookie), 'node A sees the session made on node B');
  assert.ok(await signedIn(b, cookie));
  const out = await browser.request(`${b}/auth/logout`, { method: 'POST', headers: { origin: a } });
  assert.is(out.status, 303);
  assert.is(await signedIn(a, cookie), false);
});

nodes('AUTH-12 a logout token used on one node is refused on the other (the jti is shared)', async (ctx) => {
  const [a, b] = [listenUrl(ctx.a!), listenUrl(ctx.b!)];
  const token = await ctx.op!.signLogoutToken({ sub: 'nobody' });
  const post = (base: string) => fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }).toString() });
  assert.is((await post(a)).status, 200);
  assert.is((await post(b)).status, 400);
});

exitAfterRun(nodes);
