import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_FLAGS, launchBrowser, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * The sign-in cookies in a real browser (Chromium), which a fetch-based test cannot show: the
 * session cookie (SameSite=Lax) survives the cross-site navigation back from the provider
 * (http://localhost:<p> → http://127.0.0.1:<q>), a logout from a page of this service goes through
 * the provider and comes back home, and a logout form posted from another site changes nothing
 * (AUTH-1, AUTH-8, AUTH-11). No request leaves the loopback (host resolver rules).
 */
const LOOPBACK_ONLY = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';
const ctxOf = { contexts: [] as BrowserContext[] };
const b = suite<{ pair?: SignInPair; browser?: Browser; contexts: BrowserContext[] }>('sign-in in Chromium', ctxOf);

b.before(async (ctx) => {
  ctx.pair = await startSignInPair({ OIDC_ALLOWED_EMAIL_DOMAINS: 'ville.example' });
  ctx.browser = await launchBrowser({ flags: [...CHROMIUM_FLAGS, LOOPBACK_ONLY] });
});
b.after(async (ctx) => {
  for (const c of ctx.contexts) await c.close().catch(() => undefined);
  await ctx.browser?.close().catch(() => undefined);
  await ctx.pair?.close();
});

const me = (page: Page) => page.evaluate(async () => (await (await fetch('/api/me')).json()) as { signedIn: boolean; name?: string });

async function signInWithPage(ctx: { pair?: SignInPair; browser?: Browser; contexts: BrowserContext[] }): Promise<Page> {
  const context = await ctx.browser!.newContext();
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const { srv, op } = ctx.pair!;
  await page.goto(`${srv.url}/auth/login?returnTo=/room/salle-a`);
  assert.ok(page.url().startsWith(`${op.issuer}/interaction/`), page.url());
  await page.getByLabel('Identifiant').selectOption('camille');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${srv.url}/room/salle-a`);
  return page;
}

b('AUTH-1/8 Chromium signs in through the provider and comes back signed in (the Lax cookie survives the cross-site redirect)', async (ctx) => {
  const page = await signInWithPage(ctx);
  const who = await me(page);
  assert.equal([who.signedIn, who.name], [true, 'Camille Martin']);
  const cookies = await page.context().cookies(ctx.pair!.srv.url);
  const session = cookies.find((c) => c.name === 'nomades_session');
  assert.ok(session?.httpOnly, 'HttpOnly');
  assert.is(session?.sameSite, 'Lax');
  assert.is(await page.evaluate(() => document.cookie.includes('nomades_session')), false, 'not readable by scripts');
});

b('AUTH-11 a logout form posted from another site changes nothing; posted from this service, it ends the session and comes back home through the provider', async (ctx) => {
  const page = await signInWithPage(ctx);
  const { srv, op } = ctx.pair!;
  // Another site (the provider's origin stands for it) posts a logout form to this service.
  await page.goto(`${op.issuer}/.well-known/openid-configuration`);
  await page.evaluate((target) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = target;
    document.body.append(form);
    form.submit();
  }, `${srv.url}/auth/logout`);
  await page.waitForURL(`${srv.url}/auth/logout`);
  await page.goto(`${srv.url}/room/salle-a`);
  assert.is((await me(page)).signedIn, true, 'still signed in after the cross-site logout');
  const throughProvider = page.waitForRequest((r) => r.url().startsWith(`${op.issuer}/session/end`));
  // The same form from a page of this service.
  await page.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/auth/logout';
    document.body.append(form);
    form.submit();
  });
  await throughProvider;
  await page.waitForURL(`${srv.url}/`);
  assert.is((await me(page)).signedIn, false);
  assert.is((await page.context().cookies(srv.url)).some((c) => c.name === 'nomades_logout'), false, 'the logout state was checked and cleared');
});

exitAfterRun(b);
