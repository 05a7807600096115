import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';
import { localMedia } from '../helpers/localMedia.js';

/**
 * Two real browsers (Debian's Chromium, fake camera and microphone) hold a meeting through the
 * built client (client/dist) served by a real server: each sees the other's video playing, and
 * when one leaves its tile disappears from the other's grid. The data-testid hooks used here are
 * the client's contract with automated browsers.
 */
const browserMeeting = browserSuite('meeting in two browsers');
type Ctx = BrowserSuiteContext;

function openPage(ctx: Ctx, url: string, logs: string[]): Promise<Page> {
  return openPageIn(ctx.browser!, ctx.contexts, url, logs);
}

/** Waits until `page` shows `peerId`'s video with frames, then checks that it keeps playing. */
function assertPlaying(page: Page, peerId: string, who: string, logs: string[]): Promise<void> {
  return assertVideoPlaying(page, `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`, `${who}: video of ${peerId}`, logs);
}

async function assertLeaveRemovesTile(leaver: Page, leaverId: string, watcher: Page): Promise<void> {
  await leaver.click('[data-testid="leave"]');
  await leaver.locator('[data-testid="ended"]').waitFor({ timeout: WAIT_MS });
  await waitFor(
    `the tile of ${leaverId} disappears`,
    async () => (await watcher.locator(`[data-testid="participant-tile"][data-peer-id="${leaverId}"]`).count()) === 0,
    5_000,
  );
  assert.is(await watcher.locator('[data-testid="participant-tile"]').count(), 0, 'no tile left but the local one');
}

browserMeeting('two participants with tokens (autojoin) see each other, toggle camera and mic; leaving removes the tile', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Browser meeting' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const ada = await openPage(ctx, await url('Ada'), logs);
  const grace = await openPage(ctx, await url('Grace'), logs);
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  assert.is.not(adaId, graceId);

  await Promise.all([assertPlaying(ada, graceId, 'Ada', logs), assertPlaying(grace, adaId, 'Grace', logs)]);
  assert.is(await grace.locator(`[data-peer-id="${adaId}"] [data-testid="participant-name"]`).textContent(), 'Ada');
  assert.ok(await ada.locator('[data-testid="local-video"]').count(), 'local video is shown');

  // Camera off closes Grace's producer: Ada sees her name placeholder; on again, video again.
  const graceTile = ada.locator(`[data-testid="participant-tile"][data-peer-id="${graceId}"]`);
  await grace.click('[data-testid="toggle-camera"]');
  await graceTile.locator('[data-testid="video-placeholder"]').waitFor({ timeout: WAIT_MS });
  await grace.click('[data-testid="toggle-camera"]');
  await graceTile.locator('[data-testid="video-placeholder"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  await assertPlaying(ada, graceId, 'Ada (camera back on)', logs);
  // Mute pauses Grace's microphone producer: Ada sees the muted mark, then not.
  await grace.click('[data-testid="toggle-mic"]');
  await graceTile.locator('[data-testid="mic-muted"]').waitFor({ timeout: WAIT_MS });
  await grace.click('[data-testid="toggle-mic"]');
  await graceTile.locator('[data-testid="mic-muted"]').waitFor({ state: 'detached', timeout: WAIT_MS });

  await assertLeaveRemovesTile(ada, adaId, grace);
});

browserMeeting('a guest goes through the pre-join screen and meets a token holder', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Guest meeting' });
  const logs: string[] = [];
  const host = await openPage(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Host', 'host'))}&autojoin=1`, logs);
  const guest = await openPage(ctx, `${srv.url}/room/${id}`, logs);
  await guest.fill('[data-testid="display-name"]', 'Visitor');
  await guest.click('[data-testid="join"]');
  const [hostId, guestId] = await Promise.all([selfId(host), selfId(guest)]);

  await Promise.all([assertPlaying(host, guestId, 'Host', logs), assertPlaying(guest, hostId, 'Visitor', logs)]);
  assert.is(await host.locator(`[data-peer-id="${guestId}"] [data-testid="participant-name"]`).textContent(), 'Visitor');

  await assertLeaveRemovesTile(guest, guestId, host);
});

browserMeeting('cameras are simulcast; the tile size picks the layer; an off-screen tile is paused (SIG-8)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Simulcast' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const ada = await openPage(ctx, await url('Ada'), logs);
  const grace = await openPage(ctx, await url('Grace'), logs);
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  await assertPlaying(grace, adaId, 'Grace', logs);
  // On the server: Grace's consumer of Ada's camera.
  const consumer = () => {
    const peer = [...srv.server.registry.get(id)!.peers()].find((p) => p.id === graceId)!;
    return [...localMedia(peer.media).consumers.values()].find((c) => c.kind === 'video' && c.appData.producerPeerId === adaId)!;
  };
  assert.is(consumer().type, 'simulcast', 'the browser publishes its camera with simulcast');
  const tileSelector = `[data-testid="participant-tile"][data-peer-id="${adaId}"]`;
  const cssWidth = await grace.locator(tileSelector).evaluate((el) => el.clientWidth * window.devicePixelRatio);
  const expected = cssWidth <= 360 ? 0 : cssWidth <= 720 ? 1 : 2;
  await waitFor(`preferred layer ${expected} for a ${cssWidth}px tile`, () => consumer().preferredLayers?.spatialLayer === expected, 10_000);
  // Move the tile off screen: its video consumer is paused on the server; back: resumed.
  await grace.locator(tileSelector).evaluate((el) => Object.assign((el as HTMLElement).style, { position: 'fixed', top: '-5000px' }));
  await waitFor('off-screen tile paused', () => consumer().paused, 10_000);
  const audio = [...[...srv.server.registry.get(id)!.peers()].find((p) => p.id === graceId)!.media.consumers.values()].find((c) => c.kind === 'audio');
  assert.is(audio?.paused, false, 'audio stays on');
  await grace.locator(tileSelector).evaluate((el) => Object.assign((el as HTMLElement).style, { position: '', top: '' }));
  await waitFor('visible tile resumed', () => !consumer().paused, 10_000);
  await assertPlaying(grace, adaId, 'Grace (after resume)', logs);
});

exitAfterRun(browserMeeting);
