import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Screen sharing in two real browsers (Chromium's fake screen capture): one shares, the other
 * sees `screen-video` playing large; a second share is refused while one runs (SIG-9); stopping
 * removes it. The speaker layout puts a participant on the stage.
 */
const share = browserSuite('screen sharing in two browsers');

share('one shares its screen, the other sees it; a second share is refused; stop removes it', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Screens' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const presenter = await openPage(ctx.browser!, ctx.contexts, await url('Presenter'), logs);
  const viewer = await openPage(ctx.browser!, ctx.contexts, await url('Viewer'), logs);
  const [presenterId] = await Promise.all([selfId(presenter), selfId(viewer)]);
  await assertVideoPlaying(viewer, `[data-testid="participant-tile"][data-peer-id="${presenterId}"] video`, 'viewer: presenter camera', logs);

  await presenter.click('[data-testid="toggle-screen"]');
  await presenter.locator('[data-testid="sharing-notice"]').waitFor({ timeout: WAIT_MS });
  await assertVideoPlaying(viewer, 'video[data-testid="screen-video"]', 'viewer: shared screen', logs);
  const size = await viewer.locator('video[data-testid="screen-video"]').evaluate((v: HTMLVideoElement) => v.videoWidth);
  assert.ok(size >= 640, `the screen arrives at full size (${size} px wide)`);

  // One share at a time: the viewer's attempt is refused with a clear message.
  await viewer.click('[data-testid="toggle-screen"]');
  await waitFor('refusal shown', async () => (await viewer.locator('.notice').allTextContents()).some((t) => /already sharing/.test(t)), WAIT_MS);
  const screens = [...srv.server.registry.get(id)!.peers()].flatMap((p) => [...p.media.producers.values()]).filter((p) => p.appData.source === 'screen');
  assert.is(screens.length, 1, 'still exactly one screen producer');

  await presenter.click('[data-testid="toggle-screen"]');
  await waitFor('screen gone for the viewer', async () => (await viewer.locator('video[data-testid="screen-video"]').count()) === 0, 10_000);

  // Speaker layout: one remote participant on the stage.
  await viewer.click('[data-testid="layout-speaker"]');
  await viewer.locator('.speaker-stage [data-testid="participant-tile"]').waitFor({ timeout: WAIT_MS });
  await viewer.click('[data-testid="layout-grid"]');
  await waitFor('back to the grid', async () => (await viewer.locator('.speaker-stage').count()) === 0, 5_000);
});

exitAfterRun(share);
