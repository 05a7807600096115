import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { RESUME_LIMITS } from '@nomades/shared';
import { assertVideoPlaying, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, startFieldCall, tileVideo, videoFrames, type FieldCall, type FieldSuiteContext } from '../helpers/fieldBrowser.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Outages of a home network with the server's default timings (issue 11; SIG-13…16): Ada's
 * Chromium is in a network namespace whose traffic is all dropped (signaling and media), Grace's
 * is on the host. A long outage (45 s) outlives the heartbeats (6 s), every ICE timeout and the
 * grace period (RESUME_GRACE_MS, 30 s by default): the server removes Ada, and when the network is
 * back her client joins anew by itself. A shorter one (15 s) is noticed by the heartbeats but ends
 * within the grace period: a resume, the same participant. In both, a "Reconnecting…" banner
 * during the outage and never the end screen; figures printed, no time asserted.
 */
const outage = fieldSuite('long and short outages in real browsers');
type Ctx = FieldSuiteContext;

/** Past the heartbeats (6 s) plus the default grace (30 s): the server forgets Ada before the restore. */
const LONG_OUTAGE_MS = 45_000;
/** Past the heartbeats of both sides (6 s), well within the default grace (30 s). */
const SHORT_OUTAGE_MS = 15_000;

const tileSelector = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"]`;

interface Call extends FieldCall {
  /** "meeting session: …" console lines of each page (from the call's start on). */
  adaSession: string[];
  graceSession: string[];
}

function sessionLog(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => m.text().startsWith('meeting session:') && lines.push(m.text()));
  return lines;
}

/** Ada (namespace) and Grace (host) in a call, each playing the other's video (startFieldCall), their session lines kept. */
async function startCall(ctx: Ctx, title: string): Promise<Call> {
  assert.is(ctx.srv!.server.config.resumeGraceMs, RESUME_LIMITS.defaultGraceMs, 'the default grace period');
  const call = await startFieldCall(ctx, title);
  return { ...call, adaSession: sessionLog(call.ada), graceSession: sessionLog(call.grace) };
}

const peerIdsOnServer = (ctx: Ctx, roomId: string) => [...(ctx.srv!.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id).sort();

/** Waits until the frame count of `selector` passes `after`; returns when, in ms since `since`. */
async function framesPast(page: Page, selector: string, after: number, since: number, what: string, logs: string[]): Promise<number> {
  await waitFor(`${what}: frames\n${logs.join('\n')}`, async () => ((await videoFrames(page, selector)) ?? -1) > after, 3 * WAIT_MS, 50);
  return Date.now() - since;
}

/** Sleeps what is left of `ms` since `since`. */
const until = (since: number, ms: number) => sleep(Math.max(0, ms - (Date.now() - since)));

outage('a 45 s outage (past heartbeats, ICE and the 30 s grace): banner, the server lets Ada go, then a full rejoin by itself and both play again', async (ctx) => {
  const ns = ctx.ns!;
  const call = await startCall(ctx, 'Long outage');
  const { ada, grace, adaId, graceId, logs } = call;

  await ns.cut();
  const cutAt = Date.now();
  await ada.locator('[data-testid="reconnecting"]').waitFor({ timeout: WAIT_MS });
  const bannerAfter = Date.now() - cutAt;
  assert.is(await ada.getAttribute('[data-testid="reconnecting"]', 'role'), 'status');
  // The server notices (Grace sees Ada reconnecting), then the grace period ends (Grace loses Ada's tile).
  await grace.locator(`${tileSelector(adaId)}[data-reconnecting="true"]`).waitFor({ timeout: WAIT_MS });
  const detachedAfter = Date.now() - cutAt;
  await grace.locator(tileSelector(adaId)).waitFor({ state: 'detached', timeout: LONG_OUTAGE_MS });
  const removedAfter = Date.now() - cutAt;
  assert.equal(peerIdsOnServer(ctx, call.roomId), [graceId], 'the server let Ada go');
  await until(cutAt, LONG_OUTAGE_MS);
  // The outage was real and lasted: the banner is still up, nothing crossed, and the meeting did not end.
  assert.is(await ada.locator('[data-testid="reconnecting"]').count(), 1, 'the banner is still shown at the end of the outage');
  assert.is(await ada.locator('[data-testid="ended"]').count(), 0, 'no end screen during the outage');
  const dropped = await ns.droppedPackets();
  assert.ok(dropped.in > 0 && dropped.out > 0, `packets dropped both ways (${JSON.stringify(dropped)})`);
  await ns.restore();
  const restoredAt = Date.now();

  await waitFor(`Ada rejoins\n${call.adaSession.join('\n')}`, () => call.adaSession.some((l) => l.includes('rejoined')), 3 * WAIT_MS, 50);
  const rejoinedAfter = Date.now() - restoredAt;
  const newId = await waitFor('Ada has a new peer id', async () => {
    const id = await ada.locator('[data-testid="local-tile"]').getAttribute('data-self-id');
    return id && id !== adaId ? id : null;
  });
  const media = await Promise.all([
    framesPast(ada, tileVideo(graceId), 0, restoredAt, 'Ada sees Grace', logs),
    framesPast(grace, tileVideo(newId), 0, restoredAt, 'Grace sees the new Ada', logs),
  ]);
  await ada.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  console.log(
    `[field] ${LONG_OUTAGE_MS / 1000} s outage: banner ${bannerAfter} ms after the cut, server saw Ada lost at ${detachedAfter} ms and let her go at ${removedAfter} ms; ` +
      `after the restore: rejoined in ${rejoinedAfter} ms, first frame in ${media[0]} ms (namespace browser receiving), ${media[1]} ms (host browser receiving)`,
  );

  await Promise.all([
    assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace after the rejoin', logs),
    assertVideoPlaying(grace, tileVideo(newId), 'Grace: video of the new Ada', logs),
  ]);
  assert.ok(!call.adaSession.some((l) => l.includes('resumed')), `no resume after the grace period: ${call.adaSession.join(' | ')}`);
  assert.equal(peerIdsOnServer(ctx, call.roomId), [newId, graceId].sort(), 'the server has Grace and the new Ada');
  assert.is(call.graceSession.length, 0, `Grace's own session never reconnected: ${call.graceSession.join(' | ')}`);
  for (const page of [ada, grace]) assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
});

outage('a 15 s outage (past the heartbeats, within the grace): banner, then a resume with the same peer id, both play again', async (ctx) => {
  const ns = ctx.ns!;
  const call = await startCall(ctx, 'Short outage');
  const { ada, grace, adaId, graceId, logs } = call;

  await ns.cut();
  const cutAt = Date.now();
  await ada.locator('[data-testid="reconnecting"]').waitFor({ timeout: WAIT_MS });
  const bannerAfter = Date.now() - cutAt;
  await grace.locator(`${tileSelector(adaId)}[data-reconnecting="true"]`).waitFor({ timeout: WAIT_MS });
  const detachedAfter = Date.now() - cutAt;
  await until(cutAt, SHORT_OUTAGE_MS);
  assert.is(await ada.locator('[data-testid="reconnecting"]').count(), 1, 'the banner is still shown at the end of the outage');
  assert.equal(peerIdsOnServer(ctx, call.roomId), [adaId, graceId].sort(), 'the server still keeps Ada');
  const atRestore = await Promise.all([videoFrames(ada, tileVideo(graceId)), videoFrames(grace, tileVideo(adaId))]);
  await ns.restore();
  const restoredAt = Date.now();

  await waitFor(`Ada resumes\n${call.adaSession.join('\n')}`, () => call.adaSession.some((l) => l.includes('resumed')), 3 * WAIT_MS, 50);
  const resumedAfter = Date.now() - restoredAt;
  const media = await Promise.all([
    framesPast(ada, tileVideo(graceId), atRestore[0] ?? -1, restoredAt, 'Ada sees Grace', logs),
    framesPast(grace, tileVideo(adaId), atRestore[1] ?? -1, restoredAt, 'Grace sees Ada', logs),
  ]);
  await ada.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  await grace.locator(`${tileSelector(adaId)}[data-reconnecting="false"]`).waitFor({ timeout: WAIT_MS });
  console.log(
    `[field] ${SHORT_OUTAGE_MS / 1000} s outage: banner ${bannerAfter} ms after the cut, server saw Ada lost at ${detachedAfter} ms; ` +
      `after the restore: resumed in ${resumedAfter} ms, first frame in ${media[0]} ms (namespace browser receiving), ${media[1]} ms (host browser receiving)`,
  );

  await Promise.all([
    assertVideoPlaying(ada, tileVideo(graceId), 'Ada: video of Grace after the resume', logs),
    assertVideoPlaying(grace, tileVideo(adaId), 'Grace: video of Ada after the resume', logs),
  ]);
  assert.is(await selfId(ada), adaId, 'Ada keeps her peer id');
  assert.equal(peerIdsOnServer(ctx, call.roomId), [adaId, graceId].sort(), 'the server has the same two peers');
  assert.ok(!call.adaSession.some((l) => l.includes('rejoined')), `no full rejoin: ${call.adaSession.join(' | ')}`);
  assert.is(call.graceSession.length, 0, `Grace's own session never reconnected: ${call.graceSession.join(' | ')}`);
  for (const page of [ada, grace]) assert.is(await page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
});

exitAfterRun(outage);
