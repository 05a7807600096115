import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * ROOM-4 / SIG-13: closing the tab is leaving. The page disconnects its socket on `pagehide`, so
 * the server removes the participant at once instead of keeping it as "reconnecting" for the
 * grace period (30 s here: the removal must come well before it, from the page's own goodbye).
 */
const tab = browserSuite('tab close', { RESUME_GRACE_MS: '30000' });

tab('a closed tab leaves the room at once, not after the grace period', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const host = await openPage(ctx.browser!, ctx.contexts, await url('Host'), logs);
  const ada = await openPage(ctx.browser!, ctx.contexts, await url('Ada'), logs);
  const adaId = await selfId(ada);
  await selfId(host);
  await host.locator(`[data-testid="participant-tile"][data-peer-id="${adaId}"]`).waitFor();
  const room = () => srv.server.registry.get(id);
  assert.ok(room()?.getPeer(adaId), 'Ada is in the room');
  await ada.close();
  // Liveness bound far below the 30 s grace period: only the page's own disconnect explains it.
  await waitFor('the server removed Ada', () => !room()?.getPeer(adaId), 10_000);
  await host.locator(`[data-testid="participant-tile"][data-peer-id="${adaId}"]`).waitFor({ state: 'detached', timeout: 10_000 });
});

exitAfterRun(tab);
