import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, openFieldPage, videoFrames, type FieldSuiteContext } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Recovery of the web client (issue 11; SIG-13…16 in docs/spec/signaling.md), with real network
 * faults: Ada's Chromium runs in a network namespace whose traffic is dropped (signaling and
 * media alike, tests/helpers/NetNamespace.ts), Grace's on the host. An outage longer than the
 * heartbeats (6 s) but shorter than the grace period (30 s) is recovered by a resume: the same
 * participant, a "Reconnecting…" banner meanwhile, never the end screen. A removal by a host
 * still ends the meeting, once.
 */
const reconnect = fieldSuite('reconnection in real browsers');
type Ctx = FieldSuiteContext;

const tileVideo = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`;
/** Longer than the heartbeats of both sides (pingInterval + pingTimeout = 6 s), shorter than the 30 s grace. */
const OUTAGE_MS = 13_000;

/** A page's console lines of its meeting session ("meeting session: resumed after …"). */
function sessionLog(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => m.text().startsWith('meeting session:') && lines.push(m.text()));
  return lines;
}

async function open(ctx: Ctx, browser: Browser, roomId: string, name: string, logs: string[], role = 'participant'): Promise<Page> {
  const token = await ctx.srv!.mintToken(roomId, name, role);
  return openFieldPage(browser, ctx.contexts, `${ctx.srv!.url}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`, logs, name);
}

function peerIdsOnServer(ctx: Ctx, roomId: string): string[] {
  return [...(ctx.srv!.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id).sort();
}

/** Waits until the video frames of `selector` advance past `after`; returns when (ms since `since`). */
async function framesAgain(page: Page, selector: string, after: number, since: number, what: string, logs: string[]): Promise<number> {
  await waitFor(`${what}: frames again\n${logs.join('\n')}`, async () => ((await videoFrames(page, selector)) ?? -1) > after, WAIT_MS, 50);
  return Date.now() - since;
}

reconnect('an outage past the heartbeats, within the grace period: banner, then a resume (same peer), both play again', async (ctx) => {
  const ns = ctx.ns!;
  const { id: roomId } = await ctx.srv!.createRoom({ name: 'Resume' });
  const logs: string[] = [];
  const ada = await open(ctx, ctx.inside!, roomId, 'Ada', logs);
  const adaSession = sessionLog(ada);
  const grace = await open(ctx, ctx.outside!, roomId, 'Grace', logs);
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace', logs), assertVideoPlaying(grace, tileVideo(adaId), 'Grace: video of Ada', logs)]);

  await ns.cut();
  const cutAt = Date.now();
  await ada.locator('[data-testid="reconnecting"]').waitFor({ timeout: WAIT_MS });
  const bannerAfter = Date.now() - cutAt;
  // Both sides noticed: Ada's socket is lost, and the server keeps Ada as reconnecting.
  await waitFor('Ada\'s session knows its socket is lost', () => adaSession.some((l) => l.includes('reconnecting')), WAIT_MS);
  await grace.locator(`[data-testid="participant-tile"][data-peer-id="${adaId}"][data-reconnecting="true"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await ada.getAttribute('[data-testid="reconnecting"]', 'role'), 'status');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
  const atRestore = await Promise.all([videoFrames(ada, tileVideo(graceId)), videoFrames(grace, tileVideo(adaId))]);
  await ns.restore();
  const restoredAt = Date.now();

  await waitFor(`Ada resumes\n${adaSession.join('\n')}`, () => adaSession.some((l) => l.includes('resumed')), WAIT_MS, 50);
  const resumedAfter = Date.now() - restoredAt;
  await ada.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  const bannerGoneAfter = Date.now() - restoredAt;
  await grace.locator(`[data-testid="participant-tile"][data-peer-id="${adaId}"][data-reconnecting="false"]`).waitFor({ timeout: WAIT_MS });
  const media = await Promise.all([
    framesAgain(ada, tileVideo(graceId), atRestore[0] ?? -1, restoredAt, 'Ada sees Grace', logs),
    framesAgain(grace, tileVideo(adaId), atRestore[1] ?? -1, restoredAt, 'Grace sees Ada', logs),
  ]);
  console.log(
    `[reconnect] ${OUTAGE_MS / 1000} s outage: banner ${bannerAfter} ms after the cut; after the restore: resumed in ${resumedAfter} ms, ` +
      `banner gone in ${bannerGoneAfter} ms, first frame in ${media[0]} ms (Ada receiving), ${media[1]} ms (Grace receiving)`,
  );

  await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace after the resume', logs), assertVideoPlaying(grace, tileVideo(adaId), 'Grace: video of Ada after the resume', logs)]);
  assert.is(await selfId(ada), adaId, 'Ada keeps her peer id');
  assert.equal(peerIdsOnServer(ctx, roomId), [adaId, graceId].sort(), 'the server has the same two peers');
  assert.ok(!adaSession.some((l) => l.includes('rejoined')), `no full rejoin: ${adaSession.join(' | ')}`);
  for (const page of [ada, grace]) assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
});

reconnect('a removal by a host ends the meeting with its message, once: no reconnection', async (ctx) => {
  const { id: roomId } = await ctx.srv!.createRoom({ name: 'Removal' });
  const logs: string[] = [];
  const host = await open(ctx, ctx.outside!, roomId, 'Hilda', logs, 'host');
  const guest = await open(ctx, ctx.outside!, roomId, 'Gus', logs);
  const guestSession = sessionLog(guest);
  const [, guestId] = await Promise.all([selfId(host), selfId(guest)]);
  // Joined: its socket is open. Any socket.io connection from now on would be a reconnection.
  const sockets: string[] = [];
  guest.on('websocket', (ws) => ws.url().includes('/socket.io/') && sockets.push(ws.url()));
  const row = host.locator(`[data-testid="participant-row"][data-peer-id="${guestId}"]`);
  await row.locator('[data-testid="remove-participant"]').click();
  const ended = guest.locator('[data-testid="ended"]');
  await ended.waitFor({ timeout: WAIT_MS });
  assert.is(await ended.locator('[data-testid="error"]').getAttribute('data-code'), 'REMOVED');
  assert.match((await ended.textContent()) ?? '', 'removed you');
  // The end screen unmounts the meeting (its client is closed): what happened before it is all there is.
  assert.is(sockets.length, 0, `the guest opened no other socket (${sockets.join(', ')})`);
  assert.ok(!guestSession.some((l) => l.includes('reconnecting')), `no reconnection: ${guestSession.join(' | ')}`);
  assert.is(await guest.locator('[data-testid="reconnecting"]').count(), 0);
  assert.ok(!peerIdsOnServer(ctx, roomId).includes(guestId), 'the server no longer has the guest');
});

exitAfterRun(reconnect);
