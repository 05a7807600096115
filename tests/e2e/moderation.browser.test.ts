import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, openPage as openPageIn, selfId, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The moderation hooks in two real browsers (built client): a guest waits in the lobby, the
 * host admits it ([data-testid="lobby-admit"]), the guest raises a hand ([data-testid="raise-hand"],
 * seen in the host's [data-testid="participants-panel"]), the host mutes it
 * ([data-testid="mute-participant"]) and removes it ([data-testid="remove-participant"]).
 */
const e2e = browserSuite('moderation in two browsers');
const openPage = (ctx: BrowserSuiteContext, url: string, logs: string[]): Promise<Page> => openPageIn(ctx.browser!, ctx.contexts, url, logs);

e2e('lobby → admit → raise hand → mute → remove, through the UI hooks', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Moderated' });
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  const host = await openPage(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Hilda', 'host'))}&autojoin=1`, logs);
  await selfId(host);
  const panel = host.locator('[data-testid="participants-panel"]');
  await panel.waitFor();

  const guest = await openPage(ctx, `${srv.url}/room/${id}?name=Gus&autojoin=1`, logs);
  await guest.locator('[data-testid="lobby-waiting"]').waitFor();
  assert.is(await guest.locator('[data-testid="participant-tile"]').count(), 0, 'no peers while waiting');
  await panel.locator('[data-testid="lobby-entry"]', { hasText: 'Gus' }).locator('[data-testid="lobby-admit"]').click();
  const guestId = await selfId(guest);
  const row = panel.locator(`[data-testid="participant-row"][data-peer-id="${guestId}"]`);
  await row.waitFor();
  assert.is(await row.locator('[data-testid="role-badge"]').textContent(), 'Participant');

  // Raise hand: the host sees it in the queue.
  await guest.click('[data-testid="raise-hand"]');
  await panel.locator('[data-testid="hand-queue"]', { hasText: 'Gus' }).waitFor();

  // Mute: the guest's mic button turns to "Unmute" and the host sees the muted mark on the tile.
  await guest.locator('[data-testid="toggle-mic"][aria-label="Mute microphone"]').waitFor();
  await row.locator('[data-testid="mute-participant"]').click();
  await guest.locator('[data-testid="toggle-mic"][aria-label="Unmute microphone"]').waitFor();
  await guest.locator('[data-testid="moderation-notice"]', { hasText: 'muted your microphone' }).waitFor();
  await host.locator(`[data-testid="participant-tile"][data-peer-id="${guestId}"] [data-testid="mic-muted"]`).waitFor();

  // Remove: the guest's meeting ends with the reason; the host loses the tile.
  await row.locator('[data-testid="remove-participant"]').click();
  await guest.locator('[data-testid="ended"]', { hasText: 'removed you' }).waitFor();
  await waitFor('the tile disappears', async () => (await host.locator(`[data-testid="participant-tile"][data-peer-id="${guestId}"]`).count()) === 0, 5_000);
  assert.equal(logs, []);
});

exitAfterRun(e2e);
