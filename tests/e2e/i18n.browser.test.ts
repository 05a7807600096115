import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { SigPeer } from '../helpers/moderationHelpers.js';

/**
 * UI-1: the client speaks the browser's language (French, English), falls back to the server's
 * DEFAULT_LOCALE, and shows the server's errors in that language from their code and parameters
 * (ERR-1), never the server's English. Real Chromium with its locale set, real server.
 */
// The server's default is English here, so that falling back to it differs from the client's own (French).
const locales = browserSuite('the client in French and in English', { DEFAULT_LOCALE: 'en' });
type Ctx = BrowserSuiteContext;

const WORDS = {
  'fr-FR': { lang: 'fr', join: 'Rejoindre', notFound: 'Cette réunion n’existe pas', full: 'Cette réunion est complète (2 personnes au plus)', mute: 'Couper le micro', select: 'Sélection' },
  'en-US': { lang: 'en', join: 'Join', notFound: 'This meeting does not exist', full: 'This meeting is full (2 people at most)', mute: 'Mute microphone', select: 'Select' },
} as const;

function page(ctx: Ctx, url: string, locale: string, logs: string[]): Promise<Page> {
  return openPage(ctx.browser!, ctx.contexts, url, logs, { locale });
}

const withLogs = (logs: string[]) => (error: Error) => {
  throw new Error(`${error.message}\n${logs.join('\n')}`);
};

for (const locale of ['fr-FR', 'en-US'] as const) {
  const words = WORDS[locale];

  locales(`${locale}: the pre-join, <html lang> and a server error (ROOM_NOT_FOUND) are in ${words.lang}`, async (ctx) => {
    const logs: string[] = [];
    const p = await page(ctx, `${ctx.srv!.url}/room/no-such-room-${words.lang}`, locale, logs);
    await p.locator('[data-testid="join"]').waitFor();
    assert.is(await p.evaluate(() => document.documentElement.lang), words.lang);
    assert.is((await p.locator('[data-testid="join"]').textContent())?.trim(), words.join);
    await p.fill('[data-testid="display-name"]', 'Ada');
    await p.click('[data-testid="join"]');
    const error = p.locator('[data-testid="error"][data-code="ROOM_NOT_FOUND"]');
    await error.waitFor({ timeout: WAIT_MS }).catch(withLogs(logs));
    assert.match((await error.textContent()) ?? '', words.notFound);
  });

  locales(`${locale}: in the room, controls and the board's own menus speak ${words.lang}; a full room says its limit (ROOM_FULL { max })`, async (ctx) => {
    const srv = ctx.srv!;
    const { id } = await srv.createRoom({ name: `Locale ${words.lang}`, maxParticipants: 2 });
    const logs: string[] = [];
    const p = await page(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Ada'))}&autojoin=1`, locale, logs);
    await selfId(p).catch(withLogs(logs));
    assert.is(await p.evaluate(() => document.documentElement.lang), words.lang);
    assert.is(await p.locator('[data-testid="toggle-mic"]').getAttribute('aria-label'), words.mute);
    await p.click('[data-testid="toggle-board"]');
    await p.locator(`.tl-container [title^="${words.select}"], .tl-container [aria-label^="${words.select}"]`).first().waitFor({ timeout: WAIT_MS }).catch(withLogs(logs));

    // The room holds 2: a second participant fills it, the third page is refused with the limit in words.
    const other = await SigPeer.join(srv, id, 'Grace');
    try {
      const third = await page(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Gus'))}&autojoin=1`, locale, logs);
      const error = third.locator('[data-testid="error"][data-code="ROOM_FULL"]');
      await error.waitFor({ timeout: WAIT_MS }).catch(withLogs(logs));
      assert.match((await error.textContent()) ?? '', words.full);
    } finally {
      other.socket.close();
    }
  });
}

locales('a browser speaking neither language gets the server default (DEFAULT_LOCALE=en); a choice of language is kept on reload', async (ctx) => {
  const logs: string[] = [];
  const p = await page(ctx, `${ctx.srv!.url}/room/some-room`, 'de-DE', logs);
  await p.locator('[data-testid="join"]', { hasText: 'Join' }).waitFor();
  assert.is(await p.evaluate(() => document.documentElement.lang), 'en');
  await p.selectOption('[data-testid="language"]', 'fr');
  await p.locator('[data-testid="join"]', { hasText: 'Rejoindre' }).waitFor();
  assert.is(await p.evaluate(() => document.documentElement.lang), 'fr');
  await p.reload();
  await p.locator('[data-testid="join"]', { hasText: 'Rejoindre' }).waitFor();
});

exitAfterRun(locales);
