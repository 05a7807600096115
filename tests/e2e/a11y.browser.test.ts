import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * UI-3, UI-4, UI-5 (RGAA 4 / WCAG 2.1 AA): axe-core finds no serious or critical violation on
 * the home page, the pre-join, the room with each panel and dialog open (the device settings
 * too), the lobby and the end screen, in French (the agents' language), `label-content-name-mismatch`
 * included (WCAG 2.5.3: every control's name contains its visible text, RGAA 6.1.5); the meeting works from the keyboard, with shortcuts
 * listed in a help dialog; joins, hands, lobby arrivals and chat messages are announced in a live
 * region. Real Chromium on the built client, real server.
 */
const a11y = browserSuite('accessibility (RGAA / WCAG 2.1 AA)');
type Ctx = BrowserSuiteContext;
const sigs: SigPeer[] = [];
a11y.after.each(() => {
  for (const p of sigs.splice(0)) p.close();
});

const openPage = (ctx: Ctx, url: string, logs: string[]): Promise<Page> => openPageIn(ctx.browser!, ctx.contexts, url, logs, { locale: 'fr-FR' });
const withLogs = (logs: string[]) => (error: Error) => {
  throw new Error(`${error.message}\n${logs.join('\n')}`);
};

async function assertAccessible(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, `${what}: serious or critical violations\n${describeFindings(findings)}`);
}

async function hostPage(ctx: Ctx, roomId: string, logs: string[]): Promise<Page> {
  const srv = ctx.srv!;
  const page = await openPage(ctx, `${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, 'Hilda', 'host'))}&autojoin=1`, logs);
  await selfId(page).catch(withLogs(logs));
  return page;
}

a11y('the home page, the pre-join and the end screen', async (ctx) => {
  const logs: string[] = [];
  const { id } = await ctx.srv!.createRoom({ name: 'Accessible' });
  const home = await openPage(ctx, `${ctx.srv!.url}/`, logs);
  await home.locator('[data-testid="room-id"]').waitFor();
  await assertAccessible(home, 'home');

  const prejoin = await openPage(ctx, `${ctx.srv!.url}/room/${id}`, logs);
  await prejoin.locator('[data-testid="join"]').waitFor();
  await prejoin.locator('[data-testid="preview-video"]').waitFor({ state: 'attached' });
  await assertAccessible(prejoin, 'pre-join');

  await prejoin.fill('[data-testid="display-name"]', 'Ada');
  await prejoin.click('[data-testid="join"]');
  await selfId(prejoin).catch(withLogs(logs));
  await prejoin.click('[data-testid="leave"]');
  await prejoin.locator('[data-testid="ended"]').waitFor();
  await assertAccessible(prejoin, 'end screen');
});

a11y('the room, with the participants, chat and board panels, and the shortcuts dialog; the lobby', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Réunion accessible' });
  const host = await hostPage(ctx, id, logs);
  sigs.push(await SigPeer.join(srv, id, 'Grace'));
  await host.locator('[data-testid="participant-tile"]').waitFor();
  await host.locator('[data-testid="participants-panel"]').waitFor();
  await assertAccessible(host, 'room with the participants panel');

  await host.click('[data-testid="toggle-chat"]');
  await host.locator('[data-testid="chat-panel"]').waitFor();
  await assertAccessible(host, 'room with the chat');

  await host.click('[data-testid="toggle-board"]');
  await host.locator('.tl-container').waitFor({ timeout: WAIT_MS });
  await assertAccessible(host, 'room with the board');

  await host.click('[data-testid="toggle-settings"]');
  await host.locator('[data-testid="settings-panel"]').waitFor();
  await host.locator('[data-testid="noise-suppression"]').waitFor();
  await assertAccessible(host, 'room with the device settings');

  await host.click('[data-testid="shortcuts-button"]');
  await host.locator('[data-testid="shortcuts-help"][open]').waitFor();
  await assertAccessible(host, 'shortcuts dialog');
  await host.keyboard.press('Escape');
  await host.locator('[data-testid="shortcuts-help"][open]').waitFor({ state: 'detached' });

  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  const guest = await openPage(ctx, `${srv.url}/room/${id}?name=Gus&autojoin=1`, logs);
  await guest.locator('[data-testid="lobby-waiting"]').waitFor();
  await assertAccessible(guest, 'lobby (waiting guest)');
  await host.click('[data-testid="tab-participants"]');
  await host.locator('[data-testid="lobby-entry"]').waitFor();
  await assertAccessible(host, 'room with a lobby entry (host)');
});

a11y('keyboard: Tab reaches the controls with a visible focus; M mutes, ? opens the help, Q asks before leaving; shortcuts can be turned off', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Clavier' });
  const page = await hostPage(ctx, id, logs);
  const mic = page.locator('[data-testid="toggle-mic"]');
  const label = () => mic.getAttribute('aria-label');
  const before = await label();

  // Tab until the microphone button has the focus; its focus ring is visible.
  let focused = false;
  for (let i = 0; i < 40 && !focused; i++) {
    await page.keyboard.press('Tab');
    focused = await mic.evaluate((el) => el === document.activeElement);
  }
  assert.ok(focused, 'the microphone button is reachable with Tab');
  const ring = await mic.evaluate((el) => {
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' };
  });
  assert.ok(ring.outline || ring.shadow, 'the focused control shows a focus indicator');
  await page.keyboard.press('Enter');
  await waitFor('Enter toggles the microphone', async () => (await label()) !== before, WAIT_MS);

  // Shortcuts, from the page body.
  await page.locator('main.room').click({ position: { x: 5, y: 5 } });
  const afterEnter = await label();
  await page.keyboard.press('m');
  await waitFor('M toggles the microphone', async () => (await label()) !== afterEnter, WAIT_MS);
  await page.keyboard.press('Shift+?');
  await page.locator('[data-testid="shortcuts-help"][open]').waitFor();
  assert.ok((await page.locator('[data-testid="shortcuts-help"] tr[data-action="mic"] kbd').textContent()) === 'M', 'the help lists M');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="shortcuts-help"][open]').waitFor({ state: 'detached' });
  await page.keyboard.press('q');
  await page
    .locator('[data-testid="confirm-leave"][open]')
    .waitFor()
    .catch(async (error: Error) => {
      const state = await page.evaluate(() => ({ active: document.activeElement?.outerHTML.slice(0, 200), dialogs: [...document.querySelectorAll('dialog')].map((d) => `${d.dataset.testid}:${d.open}`) }));
      throw new Error(`${error.message}
${JSON.stringify(state)}`);
    });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="confirm-leave"][open]').waitFor({ state: 'detached' });
  assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'Q alone does not leave');

  // Turned off in the help dialog: M does nothing any more (checked after a round trip that does).
  await page.keyboard.press('Shift+?');
  await page.locator('[data-testid="shortcuts-enabled"]').uncheck();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="shortcuts-help"][open]').waitFor({ state: 'detached' });
  const off = await label();
  await page.keyboard.press('m');
  await page.keyboard.press('Shift+?');
  await page.locator('[data-testid="shortcuts-help"][open]').waitFor();
  assert.is(await label(), off, 'with shortcuts off, M does not toggle the microphone');
});

a11y('the live region announces a join, a raised hand, a lobby arrival and a chat message, in French', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Annonces' });
  const host = await hostPage(ctx, id, logs);
  const announcer = host.locator('[data-testid="announcer"]');
  assert.is(await announcer.getAttribute('aria-live'), 'polite');
  const said = (text: string) => announcer.locator('p', { hasText: text }).waitFor({ timeout: WAIT_MS }).catch(withLogs(logs));

  const grace = await SigPeer.join(srv, id, 'Grace');
  sigs.push(grace);
  await said('Grace a rejoint la réunion.');
  await request(grace.socket, 'setHand', { raised: true });
  await said('Grace lève la main.');
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  const waiting = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Gus'));
  sigs.push(waiting);
  void request(waiting.socket, 'join', {}).catch(() => undefined);
  await said('Gus attend en salle d’attente.');
  await host.click('[data-testid="toggle-chat"]');
  await host.locator('[data-testid="chat-panel"]').waitFor();
  const ada = await openPage(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Ada', 'host'))}&autojoin=1`, logs);
  await selfId(ada);
  await said('Ada a rejoint la réunion.');
  await ada.click('[data-testid="toggle-chat"]');
  await ada.fill('[data-testid="chat-input"]', 'Bonjour à tous');
  await ada.keyboard.press('Enter');
  await said('Message de Ada : Bonjour à tous');
  assert.is(await ada.locator('[data-testid="announcer"] p', { hasText: 'Message de Ada' }).count(), 0, 'her own message is not announced to her');
});

exitAfterRun(a11y);
