import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sampleValue } from '../helpers/promText.js';
import { scrape } from '../helpers/scrape.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * OPS-3 from the web client: each page reports, once, when its first remote media arrived
 * (FirstMediaReport, `reportFirstMedia`), and the server's histogram
 * nomades_join_seconds{phase="first_media"} counts it; the joins are counted in phase="joined".
 * Two real Chromium pages with fake devices on the built client.
 */
const firstMedia = browserSuite('metrics first media');

firstMedia('two pages in a room: two joins and two first-media reports are counted', async (ctx: BrowserSuiteContext) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Premier média' });
  const before = await scrape(srv.url);
  const count = (m: typeof before, phase: string) => sampleValue(m, 'nomades_join_seconds_count', { phase });
  const pages = [];
  for (const name of ['Ada', 'Grace']) {
    const page = await openPage(ctx.browser!, ctx.contexts, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`, logs);
    await selfId(page);
    pages.push(page);
  }
  const after = await waitFor('both pages reported their first media', async () => {
    const m = await scrape(srv.url);
    return count(m, 'first_media') >= count(before, 'first_media') + 2 ? m : null;
  }, WAIT_MS).catch((error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });
  assert.is(count(after, 'first_media'), count(before, 'first_media') + 2, 'once per page');
  assert.is(count(after, 'joined'), count(before, 'joined') + 2);
  assert.ok(sampleValue(after, 'nomades_join_seconds_sum', { phase: 'first_media' }) > sampleValue(before, 'nomades_join_seconds_sum', { phase: 'first_media' }), 'a positive time');
});

exitAfterRun(firstMedia);
