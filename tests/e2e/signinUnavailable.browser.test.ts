import * as assert from 'uvu/assert';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage, selfId } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * AUTH-10, OWN-5: on a server without sign-in (no OIDC_ISSUER), the home page and the pre-join are
 * what they always were: no "Se connecter", no "Mes salles", the guest's name field and "Rejoindre",
 * `autojoin=1` straight in. Real server, real Chromium on the built client (CLIENT_DIST when set).
 */
const env: Record<string, string> = process.env.CLIENT_DIST ? { CLIENT_DIST: process.env.CLIENT_DIST } : {};
const s = browserSuite('sign-in not configured: the pages as before', env);

s('AUTH-10: the home page without sign-in is the room field alone, accessible', async (ctx) => {
  const logs: string[] = [];
  const me = await fetch(`${ctx.srv!.url}/api/me`);
  if (me.status !== 404) assert.equal(await me.json(), { signedIn: false, loginAvailable: false, preset: null }, 'GET /api/me says sign-in is not available');
  const page = await openPage(ctx.browser!, ctx.contexts, `${ctx.srv!.url}/`, logs, { locale: 'fr-FR' });
  await page.locator('[data-testid="room-id"]').waitFor();
  // The page asked who this browser is (never guessed), and has drawn the answer.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/me') && (e as PerformanceResourceTiming).responseEnd > 0));
  await page.waitForTimeout(200);
  for (const testId of ['login', 'logout', 'my-rooms', 'new-meeting', 'account']) {
    assert.is(await page.locator(`[data-testid="${testId}"]`).count(), 0, `no ${testId} without sign-in`);
  }
  assert.is(await page.locator('h1').textContent(), 'Nomades Visio');
  assert.ok(await page.locator('[data-testid="room-id"]').evaluate((e) => e === document.activeElement), 'the room field has the focus, as before');
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, describeFindings(findings));
});

s('OWN-5: the pre-join without sign-in asks the guest name and joins; autojoin=1 joins at once', async (ctx) => {
  const logs: string[] = [];
  const { id } = await ctx.srv!.createRoom({ name: 'Sans connexion' });
  const page = await openPage(ctx.browser!, ctx.contexts, `${ctx.srv!.url}/room/${id}`, logs, { locale: 'fr-FR' });
  await page.locator('[data-testid="display-name"]').waitFor();
  for (const testId of ['signin-choice', 'login-to-join', 'continue-as-guest', 'session-name', 'room-link']) {
    assert.is(await page.locator(`[data-testid="${testId}"]`).count(), 0, `no ${testId} without sign-in`);
  }
  await page.fill('[data-testid="display-name"]', 'Ada');
  await page.click('[data-testid="join"]');
  await selfId(page).catch((error: Error) => assert.unreachable(`${error.message}\n${logs.join('\n')}`));

  const auto = await openPage(ctx.browser!, ctx.contexts, `${ctx.srv!.url}/room/${id}?name=Gus&autojoin=1`, logs, { locale: 'fr-FR' });
  await selfId(auto).catch((error: Error) => assert.unreachable(`${error.message}\n${logs.join('\n')}`));
  assert.is(await auto.locator('[data-testid="local-tile"]').getAttribute('data-self-id').then(Boolean), true);
});

s('AUTH-14: the error page names no stack trace and offers one way on (served once the server routes it)', async (ctx) => {
  const logs: string[] = [];
  const answer = await fetch(`${ctx.srv!.url}/connexion/erreur?code=not_configured`);
  if (answer.status === 404) return; // the server's page route is not there yet
  const page = await openPage(ctx.browser!, ctx.contexts, `${ctx.srv!.url}/connexion/erreur?code=not_configured`, logs, { locale: 'fr-FR' });
  await page.locator('[data-testid="auth-error"]').waitFor();
  assert.is(await page.locator('[data-testid="auth-error"]').getAttribute('data-code'), 'not_configured');
  assert.is(await page.locator('[data-testid="home"]').count(), 1, 'not configured: back home, not a login that cannot work');
});

exitAfterRun(s);
