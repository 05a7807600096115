import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, startFieldCall } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * MEDIA-5: the tiles' connection level follows the network. Ada's Chromium is in a network
 * namespace behind a router (tests/helpers/NetNamespace.ts), Grace's on the host. On the clean
 * call every tile shows 3; when Ada's router drops a quarter of the packets both ways (iptables
 * `-m statistic`), Ada's own tile and her tile at Grace's fall to 1 or 0 with the plain-language
 * hint, while Grace's tile at Grace's own page, whose network is clean, stays higher.
 */
const quality = fieldSuite('connection quality under loss');

const LOSS = 0.25;

function level(page: Page, tile: string): Promise<number | null> {
  return page
    .locator(`${tile} [data-testid="quality"]`)
    .getAttribute('data-level', { timeout: 1000 })
    .then((v) => (v === null ? null : Number(v)))
    .catch(() => null);
}

quality('a participant behind a lossy network is shown a low level, with a hint; the clean one is not', async (ctx) => {
  const call = await startFieldCall(ctx, 'Quality under loss');
  const { ada, grace, adaId } = call;
  const local = '[data-testid="local-tile"]';
  const adaAtGrace = `[data-testid="participant-tile"][data-peer-id="${adaId}"]`;
  const graceAtAda = `[data-testid="participant-tile"][data-peer-id="${call.graceId}"]`;
  const levels = async () => ({ adaSelf: await level(ada, local), graceAtAda: await level(ada, graceAtAda), adaAtGrace: await level(grace, adaAtGrace), graceSelf: await level(grace, local) });
  let seen = await levels();
  await waitFor('every tile at 3 on the clean call', async () => Object.values((seen = await levels())).every((l) => l === 3), WAIT_MS).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(seen)}`);
  });

  await ctx.ns!.randomLoss(LOSS);
  await waitFor(
    `under ${LOSS * 100} % loss: Ada’s own tile and her tile at Grace’s at 1 or below`,
    async () => {
      seen = await levels();
      return seen.adaSelf !== null && seen.adaSelf <= 1 && seen.adaAtGrace !== null && seen.adaAtGrace <= 1;
    },
    30_000,
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(seen)}\n${call.logs.join('\n')}`);
  });
  const dropped = await ctx.ns!.droppedPackets();
  console.log(`[quality] under ${LOSS * 100} % loss: ${JSON.stringify(seen)}; dropped ${JSON.stringify(dropped)}`);
  assert.ok(dropped.in > 0 && dropped.out > 0, `the router dropped packets both ways (${JSON.stringify(dropped)})`);
  // The plain-language hint, in French by default: what to do.
  const hint = ada.locator(`${local} [data-testid="quality-hint"]`);
  await hint.waitFor({ timeout: WAIT_MS });
  assert.match((await hint.textContent()) ?? '', /caméra|camera/i);
  // Grace's own network is clean: her own tile stays above Ada's at the same time.
  const now = await levels();
  assert.ok(now.graceSelf !== null && now.graceSelf > (now.adaSelf ?? 0), `Grace’s own level (${now.graceSelf}) above Ada’s (${now.adaSelf})`);

  // The loss ends: the levels come back up (mediasoup's scores recover over a few seconds).
  await ctx.ns!.clearFirewall();
  await waitFor('Ada’s own tile back at 2 or more', async () => ((await level(ada, local)) ?? 0) >= 2, 40_000, 250).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(seen)}`);
  });
});

exitAfterRun(quality);
