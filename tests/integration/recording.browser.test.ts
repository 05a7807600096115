import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Issue 4, in the web client (client/dist; rebuild with `npm run build -w client`): everyone in a
 * flagged room sees [data-testid="recording-indicator"] while it records, and it goes away when
 * recording is turned off. Real Chromium with fake devices, real recorder.
 */
const indicator = browserSuite('recording indicator in the browser', {}, { recording: {} });

indicator('the indicator shows while a flagged room records, for those present and those who join', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Recorded', record: true });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const ada = await openPage(ctx.browser!, ctx.contexts, await url('Ada'), logs);
  await selfId(ada);
  await ada.locator('[data-testid="recording-indicator"]').waitFor({ timeout: WAIT_MS });
  const grace = await openPage(ctx.browser!, ctx.contexts, await url('Grace'), logs);
  await selfId(grace);
  await grace.locator('[data-testid="recording-indicator"]').waitFor({ timeout: WAIT_MS });

  const res = await fetch(`${srv.url}/api/rooms/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ record: false }),
  });
  assert.is(res.status, 200);
  for (const page of [ada, grace]) {
    await waitFor('the indicator goes away', async () => (await page.locator('[data-testid="recording-indicator"]').count()) === 0, 10_000);
  }
  await waitFor('the recording of the flagged stretch is ready', async () => {
    const list = (await (await fetch(`${srv.url}/api/rooms/${id}/recordings`, { headers: { authorization: `Bearer ${srv.adminKey}` } })).json()) as Array<{ status: string }>;
    return list.length === 1 && list[0].status === 'ready';
  }, 60_000, 500);
});

exitAfterRun(indicator);
