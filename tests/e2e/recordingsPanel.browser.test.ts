import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitRecordingReady } from '../helpers/recordings.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Recordings for people in the browser (issue 14, REC-V1…4 in docs/spec/sharing.md), through the
 * built client with the real recorder: the pre-join of a recorded room shows the notice; a
 * recording made in the test by the browsers themselves plays in the host's recordings panel
 * ([data-testid="recordings"]): it advances, seeks (HTTP range requests answered 206) and
 * downloads; a participant without the right gets no button, and one whose right was withdrawn
 * is refused (FORBIDDEN) in the panel.
 */
const panel = browserSuite('recordings panel', {}, { recording: {} });

async function assertAccessible(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, `${what}: serious or critical violations\n${describeFindings(findings)}`);
}

panel('a host watches, seeks and downloads a recording made in the test; a participant without the right is refused', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Conseil enregistré', record: true });
  const logs: string[] = [];
  const url = async (name: string, role: string, autojoin = true) =>
    `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name, role))}${autojoin ? '&autojoin=1' : ''}`;

  // REC-V4: the notice before joining.
  const host = await openPage(ctx.browser!, ctx.contexts, await url('Hôte', 'host', false), logs, { locale: 'fr-FR' });
  const notice = host.locator('[data-testid="recording-notice"]');
  await notice.waitFor();
  assert.match((await notice.textContent()) ?? '', /Cette réunion est enregistrée.*la voix et la caméra.*les organisateurs.*jusqu’à ce qu’un administrateur le supprime/s);
  await assertAccessible(host, 'the pre-join with the recording notice');
  assert.ok(((await host.locator('[data-testid="recording-notice-kept"]').textContent()) ?? '').length > 0, 'how long');
  assert.ok(((await host.locator('[data-testid="recording-notice-who"]').textContent()) ?? '').length > 0, 'who');
  await host.click('[data-testid="join"]');
  await selfId(host);
  await host.locator('[data-testid="recording-indicator"]').waitFor();
  const guest = await openPage(ctx.browser!, ctx.contexts, await url('Agent', 'participant'), logs);
  await selfId(guest);
  await sleep(4000); // a few seconds of both browsers' media
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { record: false })).status, 200);
  const ready = await waitRecordingReady(srv, id, 120_000);
  assert.ok(ready.durationMs > 2000, `a recording of some seconds: ${ready.durationMs} ms`);

  // The host's panel.
  const fileResponses: number[] = [];
  host.on('response', (r) => r.url().includes(`/api/recordings/${ready.id}/file`) && fileResponses.push(r.status()));
  await host.click('[data-testid="toggle-recordings"]');
  const recordings = host.locator('[data-testid="recordings"]');
  const item = recordings.locator(`[data-testid="recording-item"][data-recording-id="${ready.id}"]`);
  await item.waitFor();
  assert.is(await item.getAttribute('data-status'), 'ready');
  await item.locator('[data-testid="recording-play"]').click();
  const video = item.locator('video[data-testid="recording-video"]');
  await video.waitFor();
  await waitFor('the video has its metadata', () => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.duration > 0), WAIT_MS, 200);
  const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
  assert.ok(Math.abs(duration * 1000 - ready.durationMs) < 2000, `duration ${duration} s, recorded ${ready.durationMs} ms`);
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    return v.play();
  });
  const start = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await waitFor('currentTime advances', async () => (await video.evaluate((v: HTMLVideoElement) => v.currentTime)) > start + 0.5, WAIT_MS, 100);
  // Seek to the middle: played from there (a range request).
  const target = duration / 2;
  await video.evaluate(
    (v: HTMLVideoElement, t: number) =>
      new Promise<void>((resolve) => {
        v.addEventListener('seeked', () => resolve(), { once: true });
        v.currentTime = t;
      }),
    target,
  );
  await waitFor('playing after the seek', () => video.evaluate((v: HTMLVideoElement, t: number) => v.currentTime > t + 0.2 && v.readyState >= 3, target), WAIT_MS, 100);
  assert.ok(fileResponses.includes(206), `range requests answered 206: ${fileResponses.join(' ')}`);
  assert.is(await video.evaluate((v: HTMLVideoElement) => v.error), null, 'no media error');
  // The download link: the same signed address, the whole file.
  const itemText = (await item.textContent()) ?? '';
  assert.match(itemText, /Durée\s:\s\d+\ssecondes/, `the length in French words: ${itemText}`);
  await assertAccessible(host, 'the room with the recordings panel and its player');
  const link = item.locator('[data-testid="recording-download"]');
  assert.is(await link.getAttribute('download'), '');
  const size = await link.evaluate(async (a: HTMLAnchorElement) => (await (await fetch(a.href)).arrayBuffer()).byteLength);
  assert.is(size, ready.sizeBytes);

  // A participant (recordingViewers is ['host']): no button; the API refuses it.
  assert.is(await guest.locator('[data-testid="toggle-recordings"]').count(), 0);
  const refused = await fetch(`${srv.url}/api/rooms/${id}/recordings/watch`, { headers: { authorization: `Bearer ${await srv.mintToken(id, 'Agent', 'participant')}` } });
  assert.is(refused.status, 403);
  // One whose right is withdrawn after the page loaded: the panel says FORBIDDEN, shows nothing.
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { recordingViewers: ['host', 'participant'] })).status, 200);
  const later = await openPage(ctx.browser!, ctx.contexts, await url('Agente', 'participant'), logs);
  await selfId(later);
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { recordingViewers: ['host'] })).status, 200);
  await later.click('[data-testid="toggle-recordings"]');
  const error = later.locator('[data-testid="recordings"] [data-testid="recordings-error"]');
  await error.waitFor();
  assert.is(await error.getAttribute('data-code'), 'FORBIDDEN');
  assert.is(await later.locator('[data-testid="recording-item"]').count(), 0);
});

exitAfterRun(panel);
