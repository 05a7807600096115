import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, CHROMIUM_FLAGS, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { localMedia } from '../helpers/localMedia.js';
import { dropSignaling, htmlAttributeScript, KEEP_PEER_CONNECTIONS, sentTracks, sessionLog } from '../helpers/pageSpies.js';
import { makePersonScene, readRgba, SCENE_HEIGHT as H, SCENE_WIDTH as W } from '../helpers/PersonScene.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Background effects (issue 24) in Chromium: the sender's fake camera is a Y4M this file makes
 * (tests/helpers/PersonScene.ts: a head-and-shoulders person that MediaPipe's selfie segmentation
 * detects, in front of detailed bookshelves). The other participant's page reads the frames it
 * receives and compares them with the source, region by region: the background (pixels at least
 * 12 px from the person) and the person (pixels at least 12 px inside it).
 * - blur: the background loses its fine detail (variance of the Laplacian, divided by a factor
 *   printed, against the same region received without effect), the person stays close to the source;
 * - an image of the agent's own (picked with the file input): the background matches it;
 * - every switch during the call keeps the same producer on the server and the same track on
 *   the receiving side (producer.replaceTrack);
 * - after a resume (the page's signaling socket dropped: same producer and consumer) and after a
 *   full rejoin (the server ended the participation: a new producer), the blur is still on: the
 *   new producer sends the canvas's track, and the other side receives a blurred background;
 * - BACKGROUND_EFFECTS=off (the attribute the server writes): no choice, a notice, the raw camera.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-background-'));
const scene = await makePersonScene(dir);
const background = browserSuite('background effects', {}, {}, { flags: [...CHROMIUM_FLAGS, `--use-file-for-fake-video-capture=${scene.y4m}`] });

/** 1 for pixels at least `margin` px inside the region `inside` selects, else 0. */
function core(mask: Uint8Array, inside: (v: number) => boolean, margin: number): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = margin; y < H - margin; y++) {
    for (let x = margin; x < W - margin; x++) {
      let ok = true;
      for (let dy = -margin; dy <= margin && ok; dy += 4) for (let dx = -margin; dx <= margin && ok; dx += 4) ok = inside(mask[(y + dy) * W + x + dx]!);
      out[y * W + x] = ok ? 1 : 0;
    }
  }
  return out;
}
const personCore = core(scene.person, (v) => v === 1, 12);
const backgroundCore = core(scene.person, (v) => v === 0, 12);

const gray = (rgba: Buffer, i: number) => 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;

/** Variance of the 4-neighbour Laplacian of the gray picture over a region: its fine detail. */
function laplacianVariance(rgba: Buffer, region: Uint8Array): number {
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (!region[i]) continue;
      const l = gray(rgba, i - 1) + gray(rgba, i + 1) + gray(rgba, i - W) + gray(rgba, i + W) - 4 * gray(rgba, i);
      sum += l;
      sq += l * l;
      n += 1;
    }
  }
  return sq / n - (sum / n) ** 2;
}

/** Mean absolute difference of the RGB values of two pictures over a region (0…255). */
function meanAbsDiff(a: Buffer, b: Buffer, region: Uint8Array): number {
  let total = 0;
  let n = 0;
  for (let i = 0; i < W * H; i++) {
    if (!region[i]) continue;
    for (let c = 0; c < 3; c++) total += Math.abs(a[i * 4 + c]! - b[i * 4 + c]!);
    n += 3;
  }
  return total / n;
}

/** The frame the video `selector` shows now, as RGBA at 640×360. */
async function frameOf(page: Page, selector: string): Promise<Buffer> {
  const base64 = await page.evaluate(
    ([sel, w, h]) => {
      const video = document.querySelector<HTMLVideoElement>(sel as string)!;
      const canvas = document.createElement('canvas');
      canvas.width = w as number;
      canvas.height = h as number;
      const g = canvas.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(video, 0, 0, canvas.width, canvas.height);
      const bytes = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    },
    [selector, W, H],
  );
  return Buffer.from(base64, 'base64');
}

interface Figures {
  bgDetail: number;
  personDiff: number;
  bgDiff: number;
}

function figuresOf(frame: Buffer, reference: Buffer): Figures {
  const round = (n: number) => Math.round(n * 10) / 10;
  return { bgDetail: round(laplacianVariance(frame, backgroundCore)), personDiff: round(meanAbsDiff(frame, scene.rgba, personCore)), bgDiff: round(meanAbsDiff(frame, reference, backgroundCore)) };
}

/** Waits until the received frames meet `ok` (the effect reached the other side), returns their figures. */
async function settle(page: Page, selector: string, reference: Buffer, what: string, ok: (f: Figures) => boolean): Promise<Figures> {
  let last: Figures | null = null;
  await waitFor(
    what,
    async () => {
      last = figuresOf(await frameOf(page, selector), reference);
      return ok(last);
    },
    45_000,
    500,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: last ${JSON.stringify(last)}`);
  });
  await sleep(1500); // a few more frames: the figures of a steady picture
  const steady = figuresOf(await frameOf(page, selector), reference);
  console.log(`  ${what}: ${JSON.stringify(steady)}`);
  return steady;
}

async function choose(page: Page, testId: string): Promise<void> {
  await page.locator(`[data-testid="${testId}"]`).check({ force: true }); // the radio is visually hidden under its picture
}

background('blur and an image of the agent’s own, switched during a call: the background changes, the person stays, the producer is the same', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Background' });
  const logs: string[] = [];
  const url = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name))}&autojoin=1`;
  const ada = await openPage(ctx.browser!, ctx.contexts, await url('Ada'), logs);
  const effectLog: string[] = [];
  const grace = await openPage(ctx.browser!, ctx.contexts, 'about:blank', logs);
  await grace.addInitScript(KEEP_PEER_CONNECTIONS);
  const session = sessionLog(grace);
  await grace.goto(await url('Grace'));
  grace.on('console', (m) => /background/.test(m.text()) && effectLog.push(m.text()));
  const [, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
  const tile = `[data-testid="participant-tile"][data-peer-id="${graceId}"] video`;
  await assertVideoPlaying(ada, tile, 'Ada: Grace’s video', logs);

  // Without effect: what Ada receives of the background, as the reference of detail.
  const plain = await settle(ada, tile, scene.rgba, 'no effect', (f) => f.personDiff < 25 && f.bgDiff < 25);
  const room = srv.server.registry.get(id)!;
  const cameraProducer = () => [...localMedia(room.getPeer(graceId)!.media).producers.values()].find((p) => p.appData.source === 'camera')?.id;
  const producerBefore = cameraProducer();
  const trackBefore = await ada.locator(tile).evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id);
  assert.ok(producerBefore, 'Grace sends her camera');

  await grace.click('[data-testid="toggle-settings"]');
  await grace.locator('[data-testid="background-picker"]').waitFor({ timeout: WAIT_MS });
  assert.is(await grace.locator('[data-testid="background-none"]').isChecked(), true, 'no effect at first');

  await choose(grace, 'background-blur-strong');
  const strong = await settle(ada, tile, scene.rgba, 'strong blur', (f) => f.bgDetail < plain.bgDetail / 4 && f.personDiff < 30);
  console.log(`  background detail (Laplacian variance) ÷ ${(plain.bgDetail / strong.bgDetail).toFixed(1)} with the strong blur; person: mean abs diff ${strong.personDiff} (without effect ${plain.personDiff})`);

  await choose(grace, 'background-blur-light');
  const light = await settle(ada, tile, scene.rgba, 'light blur', (f) => f.bgDetail < plain.bgDetail / 2 && f.bgDetail > strong.bgDetail * 1.2 && f.personDiff < 30);
  console.log(`  background detail ÷ ${(plain.bgDetail / light.bgDetail).toFixed(1)} with the light blur`);

  // The agent's own image, picked from "their computer": a detailed picture ffmpeg draws, 1920×1080, scaled down in the browser.
  const picture = path.join(dir, 'my-background.png');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=1', '-frames:v', '1', picture]);
  const expected = readRgba(picture, W, H);
  await grace.locator('[data-testid="background-file"]').setInputFiles(picture);
  await waitFor('the image is chosen', async () => (await grace.locator('[data-testid="background-picker"]').getAttribute('data-choice')) === 'image:custom');
  const image = await settle(ada, tile, expected, 'own image', (f) => f.bgDiff < 20 && f.personDiff < 30);
  console.log(`  own image: background mean abs diff to the image ${image.bgDiff} (to the camera's room ${Math.round(meanAbsDiff(await frameOf(ada, tile), scene.rgba, backgroundCore))})`);

  const notice = await grace.locator('[data-testid="background-notice"]').textContent();
  assert.is(await grace.locator('[data-testid="background-picker"]').getAttribute('data-choice'), 'image:custom', `the effect still runs (notice: ${notice})`);
  assert.is(cameraProducer(), producerBefore, 'the same camera producer all along');
  assert.is(await ada.locator(tile).evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id), trackBefore, 'Ada: the same consumer track');

  // Remembered: a new page of Grace's browser profile starts with her image in the pre-join.
  const again = await grace.context().newPage();
  await again.goto(`${srv.url}/room/${id}?name=Again`);
  await again.locator('[data-testid="background-picker"]').waitFor({ timeout: WAIT_MS });
  assert.is(await again.locator('[data-testid="background-image-custom"]').isChecked(), true, 'the image is remembered');
  await again.close();

  // Back to the strong blur, then a resume (SIG-13: the page's socket dropped): same producer, same consumer, still blurred.
  const deviceLabel = (await grace.evaluate(() => navigator.mediaDevices.enumerateDevices())).find((d) => d.kind === 'videoinput')?.label ?? '';
  await choose(grace, 'background-blur-strong');
  await settle(ada, tile, scene.rgba, 'strong blur again', (f) => f.bgDetail < plain.bgDetail / 4 && f.personDiff < 30);
  assert.is(await dropSignaling(grace), 1, 'Grace had one signaling socket open');
  await waitFor(`Grace resumes\n${session.join('\n')}`, async () => session.some((l) => l.includes('resumed after')), WAIT_MS, 100);
  await assertVideoPlaying(ada, tile, 'Ada: Grace’s video after the resume', logs);
  const resumed = await settle(ada, tile, scene.rgba, 'strong blur after a resume', (f) => f.bgDetail < plain.bgDetail / 4 && f.personDiff < 30);
  assert.is(cameraProducer(), producerBefore, 'after the resume: the same camera producer');
  assert.is(await ada.locator(tile).evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.id), trackBefore, 'after the resume: Ada has the same consumer track');

  // A full rejoin (the server ends the participation, as at a worker's death): a new peer and camera producer, still blurred.
  room.getPeer(graceId)!.kick('UNAVAILABLE', 'test: the participation ends');
  await waitFor(`Grace rejoins\n${session.join('\n')}`, async () => session.some((l) => l.includes('rejoined after')), WAIT_MS, 100);
  const newId = await waitFor('Grace’s new peer id', async () => {
    const self = await grace.locator('[data-testid="local-tile"][data-self-id]').getAttribute('data-self-id');
    return self && self !== graceId ? self : null;
  }, WAIT_MS, 100);
  const newTile = `[data-testid="participant-tile"][data-peer-id="${newId}"] video`;
  await assertVideoPlaying(ada, newTile, 'Ada: Grace’s video after the rejoin', logs);
  const rejoined = await settle(ada, newTile, scene.rgba, 'strong blur after a full rejoin', (f) => f.bgDetail < plain.bgDetail / 4 && f.personDiff < 30);
  const newProducer = [...localMedia(room.getPeer(newId)!.media).producers.values()].find((p) => p.appData.source === 'camera')?.id;
  assert.ok(newProducer && newProducer !== producerBefore, `a new camera producer (${newProducer})`);
  const sent = await sentTracks(grace, 'video'); // no screen is shared: the camera's sender only
  assert.equal(sent.map((t) => [t.canvas, t.enabled, t.label === deviceLabel]), [[true, true, false]], `the new producer sends the processed (canvas) track, not the camera's own "${deviceLabel}": ${JSON.stringify(sent)}`);
  assert.is(await grace.locator('[data-testid="background-picker"]').getAttribute('data-choice'), 'blur-strong', 'the choice is kept');
  console.log(
    `  background detail (Laplacian variance) without effect ${plain.bgDetail}; strong blur ${strong.bgDetail}, after a resume ${resumed.bgDetail} (÷ ${(plain.bgDetail / resumed.bgDetail).toFixed(1)}), ` +
      `after a full rejoin ${rejoined.bgDetail} (÷ ${(plain.bgDetail / rejoined.bgDetail).toFixed(1)}); person diff ${resumed.personDiff} / ${rejoined.personDiff}`,
  );
  assert.is(logs.filter((l) => /mediapipe|segment|background/i.test(l)).join('\n'), '', 'no error of the effect');
});

background('BACKGROUND_EFFECTS=off (the attribute the server writes): no choice but a notice, and the camera’s own track is sent', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Background off' });
  const logs: string[] = [];
  const page = await openPage(ctx.browser!, ctx.contexts, 'about:blank', logs);
  await page.addInitScript(KEEP_PEER_CONNECTIONS);
  await page.addInitScript(htmlAttributeScript('background-effects', 'off')); // after the server's "on"
  await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Lin'))}`);
  assert.is(await page.evaluate(() => document.documentElement.dataset.backgroundEffects), 'off', 'the page carries the operator\'s switch');
  const notice = page.locator('[data-testid="background-unavailable"]');
  await notice.waitFor({ timeout: WAIT_MS });
  assert.is(await notice.getAttribute('data-reason'), 'operatorOff');
  console.log(`  operator off, pre-join: "${await notice.textContent()}"`);
  assert.is(await page.locator('[data-testid="background-picker"] input').count(), 0, 'no radio, no file input on the pre-join');
  await page.click('[data-testid="join"]');
  await selfId(page);
  await page.click('[data-testid="toggle-settings"]');
  await page.locator('[data-testid="background-unavailable"][data-reason="operatorOff"]').waitFor({ timeout: WAIT_MS });
  assert.is(await page.locator('[data-testid="background-picker"] input').count(), 0, 'no radio in the settings');
  const deviceLabel = (await page.evaluate(() => navigator.mediaDevices.enumerateDevices())).find((d) => d.kind === 'videoinput')?.label ?? '';
  const sent = await waitFor('the camera is sent', async () => {
    const tracks = await sentTracks(page, 'video');
    return tracks.length > 0 ? tracks : null;
  }, WAIT_MS, 200);
  assert.ok(deviceLabel, 'the fake camera has a label');
  assert.equal(sent, [{ label: deviceLabel, enabled: true, canvas: false }], 'the camera’s own track is sent');
  assert.is(logs.filter((l) => l.startsWith('[pageerror]')).join('\n'), '', 'no error in the page');
});

exitAfterRun(background);
