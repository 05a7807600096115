import type { BrowserContext, Page } from 'playwright-core';
import * as uvu from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { launchBrowser, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';

/**
 * The signed-in agent's journey in real Chromium, against a real server signing in with a real
 * OpenID provider (oidc-provider 9, tests/helpers/OidcProvider.ts): the login round trip from the
 * home page and the logout (AUTH-1, AUTH-10, AUTH-11), "Nouvelle réunion" opened at its pre-join
 * and joined by a second agent (OWN-1), a team room joined without any token in an address
 * (AUTH-9, OWN-3, OWN-5), the settings dialog and its calendar invitation (OWN-3, OWN-7), the
 * error page (AUTH-14), the meeting a logout ends (SESSION_ENDED); axe-core clean on each page.
 */
interface Ctx {
  setupError?: unknown;
  pair?: SignInPair;
  browser?: Browser;
  contexts: BrowserContext[];
}
const s = uvu.suite<Ctx>('signed-in agents in the web client', { contexts: [] });
s.before(async (ctx) => {
  try {
    ctx.pair = await startSignInPair({
      OIDC_ALLOWED_EMAIL_DOMAINS: 'ville.example',
      ...(process.env.CLIENT_DIST ? { CLIENT_DIST: process.env.CLIENT_DIST } : {}),
    });
    ctx.browser = await launchBrowser();
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] signin before: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
});
s.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
s.after.each(async (ctx) => {
  await Promise.all(ctx.contexts.splice(0).map((c) => c.close().catch(() => undefined)));
});
s.after(async (ctx) => {
  await ctx.browser?.close().catch(() => undefined);
  await ctx.pair?.close();
});

/** A page in a browser of its own (own cookies), French, every request's address kept in `urls`. */
async function openPage(ctx: Ctx, path: string, logs: string[], urls: string[] = []): Promise<Page> {
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'], locale: 'fr-FR' });
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => m.type() === 'error' && logs.push(`[console] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  context.on('request', (r) => urls.push(r.url()));
  await page.goto(`${ctx.pair!.srv.url}${path}`);
  return page;
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, `${what}: serious or critical violations\n${describeFindings(findings)}`);
}

/** Clicks `button` (a login button of ours), logs in at the provider's page as `account`, and waits to be back. */
async function logIn(ctx: Ctx, page: Page, button: string, account: string): Promise<void> {
  await page.click(`[data-testid="${button}"]`);
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  await page.selectOption('#account', account);
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.origin === new URL(ctx.pair!.srv.url).origin && !url.pathname.startsWith('/auth/'));
}

/** A signed-in agent on the home page, "Mes salles" drawn. */
async function signedInHome(ctx: Ctx, account: string, logs: string[], urls?: string[]): Promise<Page> {
  const page = await openPage(ctx, '/', logs, urls);
  await logIn(ctx, page, 'login', account);
  await page.locator('[data-testid="agent-name"]').waitFor();
  await page.locator('[data-testid="my-rooms"][aria-busy="false"]').waitFor();
  return page;
}

/** Clicks "Se déconnecter" (a form POST) and waits to be home, signed out; says where the browser stopped otherwise. */
async function logOut(ctx: Ctx, page: Page): Promise<void> {
  await page.click('[data-testid="logout"]');
  await page.locator('[data-testid="login"]').waitFor().catch(async () => {
    const body = (await page.locator('body').textContent().catch(() => '')) ?? '';
    assert.unreachable(`the logout did not come back home signed out: at ${page.url()}: ${body.slice(0, 200)}`);
  });
  assert.is(new URL(page.url()).origin, new URL(ctx.pair!.srv.url).origin, 'home again after the provider\'s logout');
}

const joined = (page: Page, logs: string[]) => selfId(page).catch((error: Error) => assert.unreachable(`${error.message}\n${logs.join('\n')}`));

s('AUTH-1, AUTH-10, AUTH-11: "Se connecter" from the home page comes back signed in with the agent\'s name; "Se déconnecter" signs out; both pages accessible', async (ctx) => {
  const logs: string[] = [];
  const page = await openPage(ctx, '/', logs);
  await page.locator('[data-testid="login"]').waitFor();
  assert.is(await page.locator('[data-testid="logout"]').count(), 0);
  await assertAccessible(page, 'home signed out');

  await logIn(ctx, page, 'login', 'camille');
  assert.is(new URL(page.url()).pathname, '/', 'back where the login began (returnTo)');
  assert.match(await page.locator('[data-testid="agent-name"]').textContent() ?? '', 'Camille Martin');
  await page.locator('[data-testid="my-rooms"][aria-busy="false"]').waitFor();
  assert.is(await page.locator('[data-testid="login"]').count(), 0);
  await assertAccessible(page, 'home signed in, with "Mes salles"');

  await logOut(ctx, page);
  const me = await page.evaluate(async () => (await fetch('/api/me')).json());
  assert.is((me as { signedIn: boolean }).signedIn, false, 'the session is over');
});

s('OWN-1: "Nouvelle réunion" (and "Nouveau café") opens the new room at its pre-join with its link; a second signed-in agent joins it from that link', async (ctx) => {
  const logs: string[] = [];
  const camille = await signedInHome(ctx, 'camille', logs);
  await camille.click('[data-testid="new-meeting"]');
  await camille.waitForURL((url) => url.pathname.startsWith('/room/'));
  const roomId = decodeURIComponent(new URL(camille.url()).pathname.slice('/room/'.length));
  assert.match(await camille.locator('[data-testid="session-name"]').textContent() ?? '', 'Camille Martin');
  assert.is(await camille.locator('[data-testid="display-name"]').count(), 0, 'the name is the session\'s, not asked');
  const link = await camille.locator('[data-testid="room-link"]').inputValue();
  assert.is(link, `${ctx.pair!.srv.url}/room/${roomId}`);
  await assertAccessible(camille, 'pre-join of a signed-in agent');
  await camille.click('[data-testid="join"]');
  await joined(camille, logs);

  const alix = await signedInHome(ctx, 'alix', logs);
  await alix.goto(link);
  await alix.locator('[data-testid="session-name"]').waitFor();
  await alix.click('[data-testid="join"]');
  await joined(alix, logs);
  const tile = camille.locator('[data-testid="participant-tile"] [data-testid="participant-name"]');
  await tile.first().waitFor();
  await camille.locator('[data-testid="participant-tile"] [data-testid="participant-name"]', { hasText: 'Alix' }).waitFor({ timeout: 5000 }).catch(async () => {
    assert.unreachable(`the second agent's tile shows her provider name (AUTH-5; the generic preset does not ask ProConnect's usual_name), not ${JSON.stringify(await tile.allTextContents())}`);
  });

  // "Nouveau café": a coffee room in one click too, which the second agent joins from its link.
  const home = await camille.context().newPage();
  await home.goto(`${ctx.pair!.srv.url}/`);
  await home.click('[data-testid="new-coffee"]');
  await home.waitForURL((url) => url.pathname.startsWith('/room/'));
  const coffeeId = decodeURIComponent(new URL(home.url()).pathname.slice('/room/'.length));
  const info = (await (await fetch(`${ctx.pair!.srv.url}/api/rooms/${encodeURIComponent(coffeeId)}/public`)).json()) as { mode: string; name: string };
  assert.is(info.mode, 'coffee');
  assert.match(info.name, /^Café de Camille/);
  await home.click('[data-testid="join"]');
  await joined(home, logs);
  await alix.goto(await home.locator('[data-testid="room-link"]').inputValue().catch(() => `${ctx.pair!.srv.url}/room/${coffeeId}`));
  await alix.locator('[data-testid="session-name"]').waitFor();
  await alix.click('[data-testid="join"]');
  await joined(alix, logs);
  await home.locator('[data-testid="participant-tile"] [data-testid="participant-name"]', { hasText: 'Alix' }).waitFor({ timeout: 10_000 });
});

s('OWN-3, OWN-7, AUTH-9: an owner makes a team room in the settings dialog; a member signs in from its pre-join and joins with no token in any address', async (ctx) => {
  const logs: string[] = [];
  const camille = await signedInHome(ctx, 'camille', logs);
  const created = await camille.evaluate(async () => (await fetch('/api/me/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Équipe DASCO' }) })).json());
  const roomId = (created as { id: string }).id;
  await camille.reload();
  const entry = camille.locator(`[data-testid="my-room"][data-room-id="${roomId}"]`);
  assert.is(await entry.getAttribute('data-relation'), 'owner');
  await assertAccessible(camille, '"Mes salles" with rooms and their settings buttons');
  await entry.locator('[data-testid="room-settings-open"]').click();
  const dialog = camille.locator('[data-testid="room-settings"][open]');
  await dialog.locator('[data-testid="settings-name"]').waitFor();
  await assertAccessible(camille, 'the room settings dialog');

  // A row without an address is named, and the focus goes to it.
  await dialog.locator('[data-testid="member-add"]').click();
  await dialog.locator('[data-testid="settings-save"]').click();
  assert.match(await dialog.locator('[data-testid="settings-status"]').textContent() ?? '', 'à corriger');
  // The dialog moves the focus once it has rendered the error (a frame after the status text).
  await camille.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'member-value', null, { timeout: 3_000 }).catch(() => undefined);
  assert.is(await camille.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'member-value');
  await dialog.locator('[data-testid="member-value"]').last().fill('alix.bernard@ville.example');
  await dialog.locator('[data-testid="settings-save"]').click();
  await dialog.locator('[data-testid="settings-status"]', { hasText: 'Paramètres enregistrés' }).waitFor();
  const settings = await camille.evaluate(async (id) => (await fetch(`/api/rooms/${id}/settings`)).json(), roomId);
  assert.equal((settings as { members: unknown[] }).members, [{ kind: 'email', value: 'alix.bernard@ville.example', role: 'member' }]);

  const href = await dialog.locator('[data-testid="calendar-download"]').getAttribute('href');
  const ics = await camille.evaluate(async (url) => {
    const answer = await fetch(url!);
    return { status: answer.status, text: await answer.text() };
  }, href);
  assert.is(ics.status, 200);
  assert.match(ics.text, 'BEGIN:VCALENDAR');
  assert.match(ics.text, 'RRULE:FREQ=WEEKLY');
  assert.match(ics.text.replace(/\r\n /g, ''), `/room/${roomId}`);
  await camille.keyboard.press('Escape');
  await camille.locator('[data-testid="room-settings"][open]').waitFor({ state: 'detached' });
  assert.is(await camille.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'room-settings-open', 'the focus is back on the button that opened it');

  // Alix, signed out, opens the room's link: no guest path in a room without guests (OWN-5).
  const urls: string[] = [];
  const alix = await openPage(ctx, `/room/${roomId}`, logs, urls);
  await alix.locator('[data-testid="signin-choice"]').waitFor();
  assert.is(await alix.locator('[data-testid="continue-as-guest"]').count(), 0, 'guests not allowed: no guest path');
  await assertAccessible(alix, 'pre-join signed out');
  const tokenAnswer = alix.waitForResponse((r) => r.url().endsWith(`/api/rooms/${roomId}/session-token`));
  await logIn(ctx, alix, 'login-to-join', 'alix');
  assert.is(new URL(alix.url()).pathname, `/room/${roomId}`, 'back at the room (returnTo)');
  await alix.locator('[data-testid="session-name"]').waitFor();
  await alix.click('[data-testid="join"]');
  const { token, relation } = (await (await tokenAnswer).json()) as { token: string; relation: string };
  assert.is(relation, 'member');
  await joined(alix, logs);
  assert.not.match(alix.url(), 'token', 'no token in the address');
  const entries = await alix.evaluate(() => ({ length: window.history.length, state: JSON.stringify(window.history.state), here: location.href }));
  assert.not.match(entries.here + entries.state, token);
  assert.ok(entries.length <= 6, `a few entries (${entries.length}): the room, the provider, the room again`);
  const leaked = urls.filter((u) => u.includes(token) || new URL(u).searchParams.has('token'));
  assert.equal(leaked, [], 'no request carried the room token in its address');
});

s('AUTH-11: a logout ends the meeting that session opened (SESSION_ENDED), and the page offers to sign in again', async (ctx) => {
  const logs: string[] = [];
  const camille = await signedInHome(ctx, 'camille', logs);
  await camille.click('[data-testid="new-meeting"]');
  await camille.locator('[data-testid="join"]').click();
  await joined(camille, logs);
  const home = await camille.context().newPage();
  await home.goto(`${ctx.pair!.srv.url}/`);
  await logOut(ctx, home);
  await camille.locator('[data-testid="ended"] [data-code="SESSION_ENDED"]').waitFor();
  await assertAccessible(camille, 'the end screen after a logout');
  await camille.click('[data-testid="rejoin"]');
  await camille.locator('[data-testid="login-to-join"]').waitFor();
});

s('AUTH-14: the error page says what happened and what to do, with one button, and is accessible', async (ctx) => {
  const logs: string[] = [];
  const page = await openPage(ctx, '/connexion/erreur?code=second_factor_required', logs);
  await page.locator('[data-testid="auth-error"]').waitFor();
  assert.match(await page.locator('[data-testid="auth-error"]').textContent() ?? '', 'double authentification');
  assert.is(await page.locator('[data-testid="auth-error"] button, [data-testid="auth-error"] a.primary').count(), 1, 'one button');
  await page.locator('[data-testid="login"]').waitFor();
  await assertAccessible(page, 'error page');
  await page.waitForTimeout(500);
  assert.is(new URL(page.url()).pathname, '/connexion/erreur', 'never an automatic redirect');

  await page.goto(`${ctx.pair!.srv.url}/connexion/erreur?code=not_allowed`);
  await page.locator('[data-testid="home"]').waitFor();
  assert.match(await page.locator('[data-testid="auth-error-text"]').textContent() ?? '', 'réservé aux agents');
  assert.is(await page.locator('[data-testid="login"]').count(), 0, 'not allowed: signing in again would change nothing');
});

exitAfterRun(s);
