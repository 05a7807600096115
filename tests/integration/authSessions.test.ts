import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { endedAgentSessionsSchema, meAnswerSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { runNomades } from '../helpers/runNomades.js';
import { signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * Sessions' lifetimes and operators (docs/spec/auth.md AUTH-8, AUTH-11, AUTH-13), on a server with
 * short lifetimes (SESSION_IDLE_S=3, SESSION_MAX_S=6) and LOGOUT_ENDS_MEETINGS=0: a session ends
 * when idle too long or at its absolute end whatever the activity; an operator ends an agent's
 * sessions by email through the API or `nomades agents logout`, and their meetings end even when
 * a logout would leave them running.
 */
const sessions = suite<{ pair?: SignInPair; ended: string[][]; home: string }>('sign-in: session lifetimes and operators', { ended: [], home: '' });

sessions.before(async (ctx) => {
  ctx.pair = await startSignInPair({ SESSION_IDLE_S: '3', SESSION_MAX_S: '6', LOGOUT_ENDS_MEETINGS: '0' });
  ctx.pair.srv.server.agents.on('ended', (hashes) => ctx.ended.push([...hashes]));
  ctx.home = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cli-'));
});
sessions.after(async (ctx) => {
  await ctx.pair?.close();
  if (ctx.home) fs.rmSync(ctx.home, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const signedIn = async (url: string, cookie: string) => meAnswerSchema.parse(await (await fetch(`${url}/api/me`, { headers: { cookie } })).json()).signedIn;

sessions('AUTH-8 an active session lives past its idle lifetime, and ends at its absolute end all the same', async (ctx) => {
  const { srv } = ctx.pair!;
  const { cookieHeader } = await signIn(srv.url, { account: 'camille' });
  const start = Date.now();
  const me = meAnswerSchema.parse(await (await fetch(`${srv.url}/api/me`, { headers: { cookie: cookieHeader } })).json());
  assert.ok(me.signedIn && Math.abs(Date.parse(me.expiresAt) - (start + 6000)) < 2000, 'expiresAt is the absolute end');
  while (Date.now() - start < 4500) {
    assert.ok(await signedIn(srv.url, cookieHeader), `active at ${Date.now() - start} ms`);
    await sleep(700);
  }
  await sleep(Math.max(0, start + 6500 - Date.now()));
  assert.is(await signedIn(srv.url, cookieHeader), false, 'past SESSION_MAX_S');
});

sessions('AUTH-8 a session idle longer than SESSION_IDLE_S ends', async (ctx) => {
  const { srv } = ctx.pair!;
  const { cookieHeader } = await signIn(srv.url, { account: 'camille' });
  assert.ok(await signedIn(srv.url, cookieHeader));
  await sleep(3600);
  assert.is(await signedIn(srv.url, cookieHeader), false);
});

sessions('AUTH-11 with LOGOUT_ENDS_MEETINGS=0 a logout ends the session but not its meetings', async (ctx) => {
  const { srv } = ctx.pair!;
  ctx.ended.length = 0;
  const { browser, cookieHeader } = await signIn(srv.url, { account: 'alix' });
  const res = await browser.request(`${srv.url}/auth/logout`, { method: 'POST', headers: { origin: srv.url } });
  assert.is(res.status, 303);
  assert.is(await signedIn(srv.url, cookieHeader), false);
  assert.equal(ctx.ended, []);
});

sessions('AUTH-13 an operator ends an agent\'s sessions by email (API, admin only), and their meetings', async (ctx) => {
  const { srv } = ctx.pair!;
  ctx.ended.length = 0;
  const a = await signIn(srv.url, { account: 'camille' });
  const b = await signIn(srv.url, { account: 'camille' });
  const other = await signIn(srv.url, { account: 'alix' });
  const call = (email: string, key: string | null = srv.adminKey) =>
    fetch(`${srv.url}/api/agents/sessions?email=${encodeURIComponent(email)}`, { method: 'DELETE', headers: key ? { authorization: `Bearer ${key}` } : {} });
  assert.is((await call('camille.martin@ville.example', null)).status, 401);
  assert.is((await call('camille.martin@ville.example', 'x'.repeat(32))).status, 403);
  assert.is((await fetch(`${srv.url}/api/agents/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${srv.adminKey}` } })).status, 400);
  assert.ok(await signedIn(srv.url, a.cookieHeader));
  const res = await call(' Camille.Martin@Ville.Example ');
  assert.is(res.status, 200);
  assert.equal(endedAgentSessionsSchema.parse(await res.json()), { ended: 2 });
  assert.is(await signedIn(srv.url, a.cookieHeader), false);
  assert.is(await signedIn(srv.url, b.cookieHeader), false);
  assert.ok(await signedIn(srv.url, other.cookieHeader));
  assert.is(ctx.ended.length, 1, 'an operator\'s end ends the meetings even with LOGOUT_ENDS_MEETINGS=0');
  assert.is(ctx.ended[0].length, 2);
});

sessions('AUTH-13 `nomades agents logout <email>` ends them too, and says how many', async (ctx) => {
  const { srv } = ctx.pair!;
  const agent = await signIn(srv.url, { account: 'alix' });
  const env = { HOME: ctx.home, XDG_CONFIG_HOME: path.join(ctx.home, '.config'), NOMADES_URL: srv.url, ADMIN_KEY: srv.adminKey };
  const run = await runNomades(['agents', 'logout', 'alix.bernard@ville.example'], env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, '2 sessions ended for alix.bernard@ville.example', 'this one and the one of the test before');
  assert.is(await signedIn(srv.url, agent.cookieHeader), false);
  const json = await runNomades(['--json', 'agents', 'logout', 'alix.bernard@ville.example'], env);
  assert.equal(JSON.parse(json.stdout), { ended: 0 });
  const wrong = await runNomades(['agents', 'logout', 'alix.bernard@ville.example'], { ...env, ADMIN_KEY: 'not-the-admin-key-of-this-server' });
  assert.is(wrong.code, 2);
});

exitAfterRun(sessions);
