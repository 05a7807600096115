import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The media worker of a two-person call is killed (SIGKILL): the server replaces it and tells
 * both participants `closing` UNAVAILABLE (not a final code, SIG-15); each browser joins anew by
 * itself (SIG-16) and both play each other again, with no click and no end screen.
 */
const worker = browserSuite('media worker killed under two browsers');

const tileVideo = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`;

function sessionLog(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => m.text().startsWith('meeting session:') && lines.push(m.text()));
  return lines;
}

/** The page's peer id once it differs from `old` (after its rejoin). */
function newSelfId(page: Page, old: string): Promise<string> {
  return waitFor('a new peer id', async () => {
    const id = await page.locator('[data-testid="local-tile"]').getAttribute('data-self-id');
    return id && id !== old ? id : null;
  }, WAIT_MS);
}

worker('SIGKILL of the room\'s worker: both browsers rejoin by themselves and play each other again', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Worker kill' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, name))}&autojoin=1`;
  const ada = await openPage(ctx.browser!, ctx.contexts, await url('Ada'), logs);
  const grace = await openPage(ctx.browser!, ctx.contexts, await url('Grace'), logs);
  const sessions = [sessionLog(ada), sessionLog(grace)];
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace', logs), assertVideoPlaying(grace, tileVideo(adaId), 'Grace: video of Ada', logs)]);

  const pid = srv.server.pool.workers[0]!.worker.pid!;
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor('a new worker', () => srv.server.pool.workers[0]?.worker.pid !== pid, WAIT_MS);

  const [newAda, newGrace] = await Promise.all([newSelfId(ada, adaId), newSelfId(grace, graceId)]);
  const firstFrame = async (page: Page, selector: string) => {
    await waitFor(`${selector} has frames\n${logs.join('\n')}`, async () => {
      return page.evaluate((sel) => (document.querySelector<HTMLVideoElement>(sel)?.videoWidth ?? 0) > 0, selector);
    }, WAIT_MS, 50);
    return Date.now() - killedAt;
  };
  const media = await Promise.all([firstFrame(ada, tileVideo(newGrace)), firstFrame(grace, tileVideo(newAda))]);
  console.log(`[reconnect] worker SIGKILL: first frame after the kill in ${media[0]} ms (Ada receiving), ${media[1]} ms (Grace receiving)`);

  await Promise.all([assertVideoPlaying(ada, tileVideo(newGrace), 'Ada: video of Grace after the kill', logs), assertVideoPlaying(grace, tileVideo(newAda), 'Grace: video of Ada after the kill', logs)]);
  for (const [i, page] of [ada, grace].entries()) {
    assert.ok(sessions[i]!.some((l) => l.includes('rejoined')), `a full rejoin: ${sessions[i]!.join(' | ')}`);
    assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
    await page.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  }
  assert.equal([...(srv.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id).sort(), [newAda, newGrace].sort());
});

exitAfterRun(worker);
