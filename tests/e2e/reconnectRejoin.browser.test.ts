import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, openFieldPage, videoFrames, type FieldSuiteContext } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * A full rejoin (issue 11; SIG-13, SIG-16): the server keeps a lost participant only 3 s here
 * (RESUME_GRACE_MS), so an outage past the heartbeats (6 s) outlives it; when the network is
 * back, `resume` is refused (RESUME_FAILED) and the client joins anew by itself: a new peer id,
 * its camera and muted microphone published again, everyone consumed again, and the meeting's
 * screen never unmounted (the open chat panel stays open, its messages not duplicated).
 */
const rejoin = fieldSuite('full rejoin in real browsers', { RESUME_GRACE_MS: '3000' });
type Ctx = FieldSuiteContext;

const tileSelector = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"]`;
const tileVideo = (peerId: string) => `${tileSelector(peerId)} video`;

function sessionLog(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => m.text().startsWith('meeting session:') && lines.push(m.text()));
  return lines;
}

async function open(ctx: Ctx, browser: Browser, roomId: string, name: string, logs: string[]): Promise<Page> {
  const token = await ctx.srv!.mintToken(roomId, name);
  return openFieldPage(browser, ctx.contexts, `${ctx.srv!.url}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`, logs, name);
}

async function sendChat(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="chat-input"]', text);
  await page.press('[data-testid="chat-input"]', 'Enter');
}

const countMessages = (page: Page, text: string) => page.locator('[data-testid="chat-message"]', { hasText: text }).count();

rejoin('an outage past the grace period: a full rejoin by itself, new peer id, media and mute state back, the open chat kept', async (ctx) => {
  const ns = ctx.ns!;
  const { id: roomId } = await ctx.srv!.createRoom({ name: 'Rejoin' });
  const logs: string[] = [];
  const ada = await open(ctx, ctx.inside!, roomId, 'Ada', logs);
  const adaSession = sessionLog(ada);
  const grace = await open(ctx, ctx.outside!, roomId, 'Grace', logs);
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace', logs), assertVideoPlaying(grace, tileVideo(adaId), 'Grace: video of Ada', logs)]);

  // Ada mutes her microphone, opens the chat and says something; the room's screen gets a mark.
  await ada.click('[data-testid="toggle-mic"]');
  await grace.locator(`${tileSelector(adaId)} [data-testid="mic-muted"]`).waitFor();
  await ada.click('[data-testid="toggle-chat"]');
  await sendChat(ada, 'before the outage');
  await grace.click('[data-testid="toggle-chat"]');
  await grace.locator('[data-testid="chat-message"]', { hasText: 'before the outage' }).waitFor();
  await ada.locator('main.room').evaluate((el) => ((el as HTMLElement).dataset.mark = 'kept'));

  await ns.cut();
  const cutAt = Date.now();
  await ada.locator('[data-testid="reconnecting"]').waitFor({ timeout: WAIT_MS });
  // The grace period is over: the server removed Ada (Grace loses her tile), Ada knows her socket is lost.
  await grace.locator(tileSelector(adaId)).waitFor({ state: 'detached', timeout: WAIT_MS });
  const removedAfter = Date.now() - cutAt;
  await waitFor('Ada\'s session knows its socket is lost', () => adaSession.some((l) => l.includes('reconnecting')), WAIT_MS);
  assert.is(await ada.locator('[data-testid="ended"]').count(), 0, 'no end screen during the outage');
  await ns.restore();
  const restoredAt = Date.now();

  await waitFor(`Ada rejoins\n${adaSession.join('\n')}`, () => adaSession.some((l) => l.includes('rejoined')), WAIT_MS, 50);
  const rejoinedAfter = Date.now() - restoredAt;
  const newId = await waitFor('Ada has a new peer id', async () => {
    const id = await ada.locator('[data-testid="local-tile"]').getAttribute('data-self-id');
    return id && id !== adaId ? id : null;
  });
  await ada.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  const bannerGoneAfter = Date.now() - restoredAt;
  await grace.locator(tileSelector(newId)).waitFor({ timeout: WAIT_MS });
  const firstFrame = async (page: Page, selector: string) => {
    await waitFor(`${selector} has frames\n${logs.join('\n')}`, async () => ((await videoFrames(page, selector)) ?? 0) > 0, WAIT_MS, 50);
    return Date.now() - restoredAt;
  };
  const media = await Promise.all([firstFrame(ada, tileVideo(graceId)), firstFrame(grace, tileVideo(newId))]);
  console.log(
    `[reconnect] outage past a 3 s grace (server removed Ada ${removedAfter} ms after the cut); after the restore: rejoined in ${rejoinedAfter} ms, ` +
      `banner gone in ${bannerGoneAfter} ms, first frame in ${media[0]} ms (Ada receiving), ${media[1]} ms (Grace receiving)`,
  );

  await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace after the rejoin', logs), assertVideoPlaying(grace, tileVideo(newId), 'Grace: video of the new Ada', logs)]);
  assert.equal([...(ctx.srv!.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id).sort(), [newId, graceId].sort(), 'the server has Grace and the new Ada');
  // Same mute state: Ada's microphone is published again, muted.
  await grace.locator(`${tileSelector(newId)} [data-testid="mic-muted"]`).waitFor();
  assert.is(await ada.locator('[data-testid="toggle-mic"]').getAttribute('aria-label'), 'Unmute microphone');
  // The meeting's screen was never unmounted: the mark and the open chat are still there.
  assert.is(await ada.locator('main.room').getAttribute('data-mark'), 'kept');
  assert.is(await ada.locator('[data-testid="chat-panel"]').count(), 1, 'the chat panel is still open');
  // The chat works after the rejoin, and what was said before is there once.
  await sendChat(grace, 'after the outage');
  await ada.locator('[data-testid="chat-message"]', { hasText: 'after the outage' }).waitFor();
  assert.is(await countMessages(ada, 'before the outage'), 1, 'no duplicated message on Ada');
  assert.is(await countMessages(grace, 'before the outage'), 1, 'no duplicated message on Grace');
  for (const page of [ada, grace]) assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
});

exitAfterRun(rejoin);
