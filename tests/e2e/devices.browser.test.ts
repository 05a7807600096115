import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, CHROMIUM_FLAGS, FAKE_DEVICES_FLAGS, launchBrowser, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';
import { localMedia } from '../helpers/localMedia.js';

/**
 * Devices (issue 14) with Chromium's fake devices, three cameras (`device-count=3`): fake_device_0
 * (green corner squares, a clock) and fake_device_2 (yellow corners; fake_device_1's Y16 frames are
 * not encoded by WebRTC), so a receiver can tell which camera it gets;
 * three fake microphones (each plays a beep) and three fake speakers. The camera and microphone
 * are switched during a call without rejoining (producer.replaceTrack): the other tab keeps
 * playing the same consumer, now of the other camera. Also: the pre-join's choices, remembered
 * and used at the join; the microphone's level meter; the speaker test on a chosen output; the
 * tiles' connection level (MEDIA-5) on a clean call. Rules DEV-1…5 in docs/spec/client.md.
 */
const devices = browserSuite('devices', {}, {}, { flags: FAKE_DEVICES_FLAGS });
type Ctx = BrowserSuiteContext;

/** Keeps the page's RTCPeerConnections (window.__pcs) so that a test reads what is really sent. */
const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
})();`;

async function openPage(ctx: Ctx, url: string, logs: string[]): Promise<Page> {
  const page = await openPageIn(ctx.browser!, ctx.contexts, 'about:blank', logs);
  await page.addInitScript(KEEP_PEER_CONNECTIONS);
  await page.goto(url);
  return page;
}

/** Labels of the tracks the page's RTCRtpSenders send, of one kind. */
function sentLabels(page: Page, kind: 'audio' | 'video'): Promise<string[]> {
  return page.evaluate(
    (k) =>
      ((window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [])
        .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
        .flatMap((s) => (s.track && s.track.kind === k ? [s.track.label] : [])),
    kind,
  );
}

/**
 * Which fake camera the video `selector` shows, from its corner squares: green ones for
 * fake_device_0 (the one with the moving pie and the clock), yellow ones for fake_device_2
 * (MJPEG); null before frames.
 */
function cameraOf(page: Page, selector: string): Promise<{ camera: 'fake_device_0' | 'fake_device_2' | null; red: number; green: number } | null> {
  return page.evaluate((sel) => {
    const video = document.querySelector<HTMLVideoElement>(sel);
    if (!video || video.videoWidth === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = 128;
    canvas.height = 72;
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(video, 0, 0, 128, 72);
    let red = 0;
    let green = 0;
    // The squares are 1/16 of the width and 1/9 of the height: 8×8 here; read their inner 4×4.
    for (const [x, y] of [[2, 2], [122, 2], [2, 66], [122, 66]]) {
      const data = g.getImageData(x, y, 4, 4).data;
      for (let i = 0; i < data.length; i += 4) (red += data[i]), (green += data[i + 1]);
    }
    const camera = green < 30 * 64 ? null : red < 0.15 * green ? 'fake_device_0' : red > 0.5 * green ? 'fake_device_2' : null;
    return { camera, red, green };
  }, selector);
}

async function waitForCamera(page: Page, selector: string, camera: 'fake_device_0' | 'fake_device_2', what: string, logs: string[]): Promise<void> {
  let last: unknown = null;
  await waitFor(
    `${what} shows ${camera}`,
    async () => {
      const seen = await cameraOf(page, selector);
      last = seen;
      return seen?.camera === camera;
    },
    WAIT_MS,
    200,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last ${JSON.stringify(last)})\n${logs.join('\n')}`);
  });
}

/** Frames a page's RTCRtpSenders encoded and its receivers decoded, of video (window.__pcs). */
function videoFrames(page: Page): Promise<{ encoded: number; decoded: number }> {
  return page.evaluate(async () => {
    let encoded = 0;
    let decoded = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') encoded += Number(s.framesEncoded ?? 0);
        if (s.type === 'inbound-rtp' && s.kind === 'video') decoded += Number(s.framesDecoded ?? 0);
      });
    }
    return { encoded, decoded };
  });
}

/** The option texts of a device select. */
function optionTexts(page: Page, testId: string): Promise<string[]> {
  return page.locator(`[data-testid="${testId}"] option`).allTextContents();
}

/** Distinct aria-valuenow of the mic level over ~2 s (the fake microphone beeps). */
async function meterValues(page: Page): Promise<Set<string>> {
  const seen = new Set<string>();
  await waitFor(
    'the microphone level moves (several values, one above 0)',
    async () => {
      seen.add((await page.locator('[data-testid="mic-level"]').getAttribute('aria-valuenow')) ?? '');
      return seen.size >= 3 && [...seen].some((v) => Number(v) > 0);
    },
    WAIT_MS,
    100,
  );
  return seen;
}

devices('pre-join: the devices are listed, the level meter moves, the speaker test plays on a chosen output, the chosen camera is used at the join', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Devices prejoin' });
  const logs: string[] = [];
  const host = await openPage(ctx, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Host', 'host'))}&autojoin=1`, logs);
  const guest = await openPage(ctx, `${srv.url}/room/${id}?name=Visitor`, logs);
  await guest.locator('[data-testid="preview-video"]').waitFor({ timeout: WAIT_MS });
  await waitFor('three cameras listed', async () => (await optionTexts(guest, 'camera-select')).length === 3, WAIT_MS);
  assert.equal(await optionTexts(guest, 'camera-select'), ['fake_device_0', 'fake_device_1', 'fake_device_2']);
  await waitFor('three microphones listed', async () => (await optionTexts(guest, 'mic-select')).length === 3, WAIT_MS);
  assert.ok((await optionTexts(guest, 'speaker-select')).length === 3, 'three speakers (setSinkId is supported)');
  for (const testId of ['camera-select', 'mic-select', 'speaker-select']) {
    const labelled = await guest.locator(`[data-testid="${testId}"]`).evaluate((el) => (el as HTMLSelectElement).labels?.[0]?.textContent ?? '');
    assert.ok(labelled.length > 0, `${testId} has a label`);
  }
  const meter = guest.locator('[data-testid="mic-level"]');
  assert.is(await meter.getAttribute('role'), 'meter');
  assert.is(await meter.getAttribute('aria-valuemin'), '0');
  assert.is(await meter.getAttribute('aria-valuemax'), '100');
  await guest.click('[data-testid="speaker-test"]'); // a gesture: the page's AudioContext may run
  await waitFor('the speaker test plays through', async () => (await guest.locator('[data-testid="speaker-test"]').getAttribute('data-state')) === 'done', WAIT_MS);
  await meterValues(guest);

  // A chosen output: the tone plays on it (setSinkId accepted).
  await guest.selectOption('[data-testid="speaker-select"]', { label: 'Fake Audio Output 1' });
  await guest.click('[data-testid="speaker-test"]');
  await waitFor('the speaker test plays on Fake Audio Output 1', async () => (await guest.locator('[data-testid="speaker-test"]').getAttribute('data-state')) === 'done', WAIT_MS);

  // The second camera in the pre-join: the preview shows it, the join sends it.
  await waitForCamera(guest, '[data-testid="preview-video"]', 'fake_device_0', 'the preview', logs);
  await guest.selectOption('[data-testid="camera-select"]', { label: 'fake_device_2' });
  await waitForCamera(guest, '[data-testid="preview-video"]', 'fake_device_2', 'the preview', logs);
  await guest.click('[data-testid="join"]');
  const guestId = await selfId(guest);
  await waitFor('the guest sends fake_device_2', async () => (await sentLabels(guest, 'video')).join() === 'fake_device_2');
  const tile = `[data-testid="participant-tile"][data-peer-id="${guestId}"] video`;
  await assertVideoPlaying(host, tile, 'Host: the guest’s video', logs);
  await waitForCamera(host, tile, 'fake_device_2', 'the host’s tile of the guest', logs);

  // Remembered: a new page of the same browser profile starts on that camera.
  const again = await guest.context().newPage();
  await again.goto(`${srv.url}/room/${id}?name=Again`);
  await waitForCamera(again, '[data-testid="preview-video"]', 'fake_device_2', 'a new pre-join', logs);
  assert.is(await again.locator('[data-testid="camera-select"] option:checked').textContent(), 'fake_device_2');
});

devices('during a call: switching the camera and the microphone keeps the call; the other tab sees the other camera on the same consumer', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Devices call' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const ada = await openPage(ctx, await url('Ada'), logs);
  const grace = await openPage(ctx, await url('Grace'), logs);
  const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  const tileVideo = `[data-testid="participant-tile"][data-peer-id="${graceId}"] video`;
  await assertVideoPlaying(ada, tileVideo, 'Ada: Grace’s video', logs);
  await waitForCamera(ada, tileVideo, 'fake_device_0', 'Ada’s tile of Grace', logs);
  const trackBefore = await ada.locator(tileVideo).evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
  const room = srv.server.registry.get(id)!;
  const producerIds = () => [...localMedia(room.getPeer(graceId)!.media).producers.values()].map((p) => `${p.appData.source}:${p.id}`).sort();
  const producersBefore = producerIds();

  await grace.click('[data-testid="toggle-settings"]');
  await grace.locator('[data-testid="settings-panel"]').waitFor({ timeout: WAIT_MS });
  assert.is(await grace.locator('[data-testid="camera-select"] option:checked').textContent(), 'fake_device_0');
  const findings = await seriousViolations(grace);
  assert.is(findings.length, 0, `the settings tab: serious or critical violations\n${describeFindings(findings)}`);
  await grace.selectOption('[data-testid="camera-select"]', { label: 'fake_device_2' });
  await waitFor('Grace’s local video is fake_device_2', () =>
    grace.locator('[data-testid="local-video"]').evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.label === 'fake_device_2'),
  );
  await waitFor('Grace sends fake_device_2', async () => (await sentLabels(grace, 'video')).join() === 'fake_device_2');
  const framesAtSwitch = { grace: await videoFrames(grace), ada: await videoFrames(ada) };
  await waitForCamera(ada, tileVideo, 'fake_device_2', 'Ada’s tile of Grace', logs);
  await assertVideoPlaying(ada, tileVideo, 'Ada: Grace’s video after the switch', logs);
  const trackAfter = await ada.locator(tileVideo).evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
  assert.is(trackAfter, trackBefore, 'the same consumer: no rejoin, no new producer');
  await waitFor('Grace encodes and Ada decodes frames of the new camera', async () => {
    const [g, a] = [await videoFrames(grace), await videoFrames(ada)];
    return g.encoded > framesAtSwitch.grace.encoded + 20 && a.decoded > framesAtSwitch.ada.decoded + 20;
  });
  assert.equal(producerIds(), producersBefore, 'Grace’s producers are the same ones');
  assert.is(await selfId(grace), graceId, 'same participation');

  // The microphone, switched while muted: it stays muted, then unmutes on the new device.
  const adaTile = ada.locator(`[data-testid="participant-tile"][data-peer-id="${graceId}"]`);
  await grace.click('[data-testid="toggle-mic"]');
  await adaTile.locator('[data-testid="mic-muted"]').waitFor({ timeout: WAIT_MS });
  const mics = await grace.locator('[data-testid="mic-select"] option').evaluateAll((options) => options.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent })));
  const sentBefore = await sentLabels(grace, 'audio');
  const target = mics.find((m) => m.text === 'Fake Audio Input 1')!;
  assert.ok(target, `a second microphone: ${JSON.stringify(mics)}`);
  await grace.selectOption('[data-testid="mic-select"]', target.value);
  // The select shows the device of the track in use (getSettings), not only the choice.
  await waitFor('Grace’s microphone track is Fake Audio Input 1', async () => (await grace.locator('[data-testid="mic-select"] option:checked').textContent()) === 'Fake Audio Input 1');
  // DEV-6: with noise suppression on (the default) the sent track is the suppressor's output, which
  // stays the same: the new device is wired into its graph. Off, it is the device's own track.
  const processed = !sentBefore.includes('Fake Default Audio Input') && !sentBefore.some((l) => l.startsWith('Fake Audio Input'));
  await waitFor('Grace sends Fake Audio Input 1', async () => (await sentLabels(grace, 'audio')).join() === (processed ? sentBefore.join() : 'Fake Audio Input 1'));
  assert.ok(await adaTile.locator('[data-testid="mic-muted"]').count(), 'still muted for the others');
  await grace.click('[data-testid="toggle-mic"]');
  await adaTile.locator('[data-testid="mic-muted"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  // The server receives the new microphone's sound on the same producer.
  const mic = [...localMedia(room.getPeer(graceId)!.media).producers.values()].find((p) => p.appData.source === 'microphone')!;
  const bytes = async () => (await mic.getStats()).reduce((sum, s) => sum + s.byteCount, 0);
  const first = await bytes();
  await waitFor('the microphone producer receives audio after the switch', async () => (await bytes()) > first + 2000, WAIT_MS);
  await meterValues(grace);
  assert.equal(producerIds(), producersBefore, 'still the same producers');

  // Camera off, another one chosen: only remembered; the camera comes back on as that one.
  await grace.click('[data-testid="toggle-camera"]');
  await adaTile.locator('[data-testid="video-placeholder"]').waitFor({ timeout: WAIT_MS });
  await grace.selectOption('[data-testid="camera-select"]', { label: 'fake_device_0' });
  await grace.click('[data-testid="toggle-camera"]');
  await adaTile.locator('[data-testid="video-placeholder"]').waitFor({ state: 'detached', timeout: WAIT_MS });
  await waitForCamera(ada, tileVideo, 'fake_device_0', 'Ada’s tile of Grace (camera back on)', logs);

  // The speaker, chosen during the call: every remote sound of Ada's page plays on it (setSinkId).
  await ada.click('[data-testid="toggle-settings"]');
  const outputs = await ada.locator('[data-testid="speaker-select"] option').evaluateAll((options) => options.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent })));
  const output = outputs.find((o) => o.text === 'Fake Audio Output 2')!;
  assert.ok(output, `a second speaker: ${JSON.stringify(outputs)}`);
  await ada.selectOption('[data-testid="speaker-select"]', output.value);
  await waitFor('Ada’s remote audio plays on Fake Audio Output 2', () =>
    ada.evaluate((sink) => {
      const audios = [...document.querySelectorAll('audio')];
      return audios.length > 0 && audios.every((a) => (a as HTMLAudioElement & { sinkId: string }).sinkId === sink);
    }, output.value),
  );

  // Connection levels on a clean loopback call: good, on each tile, local ones too (MEDIA-5).
  for (const [page, peer] of [
    [ada, graceId],
    [grace, adaId],
  ] as const) {
    const remote = page.locator(`[data-testid="participant-tile"][data-peer-id="${peer}"] [data-testid="quality"]`);
    await waitFor('a remote tile shows level 3', async () => (await remote.getAttribute('data-level').catch(() => null)) === '3', WAIT_MS);
    const local = page.locator('[data-testid="local-tile"] [data-testid="quality"]');
    await waitFor('the local tile shows level 3', async () => (await local.getAttribute('data-level').catch(() => null)) === '3', WAIT_MS);
    assert.ok(((await remote.getAttribute('aria-label')) ?? '').length > 0, 'the level has words');
    // A loaded machine (CI) can dip one tile's measured level for a moment (seen once): the hint
    // follows the level, so it must be gone while the levels are good, not absent at one instant.
    await waitFor('no hint on a good connection', async () => (await page.locator('[data-testid="quality-hint"]').count()) === 0, WAIT_MS);
  }
});

devices('a remembered camera and microphone that are gone: the default ones are used, in the pre-join and the meeting', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Devices gone' });
  const logs: string[] = [];
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'] });
  ctx.contexts.push(context);
  await context.addInitScript(`localStorage.setItem('nomades.devices', JSON.stringify({ videoinput: 'unplugged-camera', audioinput: 'unplugged-mic' }))`);
  const page = await context.newPage();
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Back'))}&autojoin=1`);
  await assertVideoPlaying(page, '[data-testid="local-video"]', 'the default camera', logs);
  assert.is(await page.locator('[data-testid="local-video"]').evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.label), 'fake_device_0');
  await page.click('[data-testid="toggle-settings"]');
  await waitFor('the microphone in use is the default one', async () => (await page.locator('[data-testid="mic-select"] option:checked').textContent()) === 'Fake Default Audio Input');
  assert.is(await page.locator('.notice[role="status"]').count(), 0, 'no device warning');
});

devices('camera and microphone refused: the pre-join says so and how to allow them, in the agent’s words; the join still works', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Devices denied' });
  const logs: string[] = [];
  // Chromium's fake permission prompt answers "block".
  const browser = await launchBrowser({ flags: CHROMIUM_FLAGS.map((f) => (f === '--use-fake-ui-for-media-stream' ? `${f}=deny` : f)) });
  try {
    const context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
    await page.goto(`${srv.url}/room/${id}?name=Agent`);
    const problem = page.locator('[data-testid="media-problem"][data-code="mediaDenied"]').first();
    await problem.waitFor({ timeout: WAIT_MS });
    assert.match((await problem.textContent()) ?? '', /barre d’adresse/, 'how to allow it, in French');
    await waitFor('the camera select says to allow the camera', async () => (await optionTexts(page, 'camera-select')).join() === 'Autorisez la caméra pour la choisir', WAIT_MS);
    assert.ok(await page.locator('[data-testid="camera-select"]').isDisabled(), 'nothing to choose yet');
    assert.is(await page.locator('[data-testid="mic-level"]').getAttribute('aria-valuenow'), '0');
    await page.click('[data-testid="join"]');
    await page.locator('[data-testid="local-tile"][data-self-id]').waitFor({ timeout: WAIT_MS });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
  } finally {
    await browser.close();
  }
});

exitAfterRun(devices);
