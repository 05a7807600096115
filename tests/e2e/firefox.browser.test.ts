import fs from 'node:fs';
import type { Page } from 'puppeteer-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeFindings } from '../helpers/axe.js';
import { CLIENT_INDEX } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { firefoxPage, launchFirefox, seriousViolationsIn, startXvfb } from '../helpers/firefox.js';
import { NetNamespace } from '../helpers/NetNamespace.js';
import { KEEP_PEER_CONNECTIONS } from '../helpers/pageSpies.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Issue 24 in Firefox ESR (Debian's firefox-esr, puppeteer-core over WebDriver BiDi; fake camera
 * and microphone by prefs). Firefox leaves loopback ICE candidates out, so the server's media
 * listens on the host end of a veth pair (tests/helpers/NetNamespace.ts), the page on 127.0.0.1.
 * - headless (no display, so no WebGL at all): the pre-join loads without an error, the background
 *   picker says plainly that the effects are unavailable and that WebGL 2 is what is missing,
 *   noise suppression is offered, axe-core finds no serious violation;
 * - with a display (Xvfb, Mesa's software GL: a desktop without a graphics card): the effects are
 *   offered and work (the preview shows the shipped image behind the fake camera's picture), the
 *   page joins, and a WebRTC client in Node receives its camera and microphone through the server;
 *   the sent camera is the processed track; what noise suppression does there is printed (here the
 *   raw microphone: with no audio output device, Firefox keeps the AudioContext suspended).
 */
const WAIT_MS = 20_000;
interface Ctx {
  ns?: NetNamespace;
  srv?: TestServer;
  xvfb?: { display: string; close: () => void };
  setupError?: unknown;
}
const ff = suite<Ctx>('Firefox ESR');
const bots: WrtcBot[] = [];

ff.before(async (ctx) => {
  try {
    if (!fs.existsSync(CLIENT_INDEX)) throw new Error(`client not built (${CLIENT_INDEX} missing)`);
    ctx.ns = await NetNamespace.create();
    const media = ctx.ns.hostAddress;
    ctx.srv = await startTestServer({ RTC_LISTEN_IP: media, ANNOUNCED_IP: media, MEDIA_ON_HTTP_PORT: '0', TURN: 'off' });
    ctx.xvfb = await startXvfb();
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] "Firefox ESR" before: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
});
ff.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
ff.after.each(() => {
  for (const b of bots.splice(0)) b.close();
});
ff.after(async (ctx) => {
  await ctx.srv?.close();
  ctx.xvfb?.close();
  await ctx.ns?.close();
});

/** What the pre-join shows of the effects, once its devices part is there. */
async function prejoinState(page: Page) {
  await page.waitForSelector('[data-testid="background-picker"]');
  await page.waitForSelector('[data-testid="prejoin-toggle-mic"]');
  return page.evaluate(() => {
    const unavailable = document.querySelector('[data-testid="background-unavailable"]');
    const ns = document.querySelector<HTMLInputElement>('[data-testid="noise-suppression"]');
    return {
      userAgent: navigator.userAgent,
      radios: document.querySelectorAll('[data-testid="background-picker"] input[type="radio"]').length,
      unavailable: unavailable && { reason: unavailable.getAttribute('data-reason'), missing: unavailable.getAttribute('data-missing'), text: unavailable.textContent },
      noiseSuppression: ns ? ns.checked : null,
      webgl2: Boolean(document.createElement('canvas').getContext('webgl2')),
    };
  });
}

/** Checks that the page's error listener works: an uncaught error of the page's own lands in `logs`. */
async function assertErrorsAreSeen(page: Page, logs: string[]): Promise<void> {
  await page.evaluate(() => void setTimeout(() => { throw new Error('probe of the error listener'); }));
  await waitFor('the page error listener sees errors', async () => logs.some((l) => l.includes('probe of the error listener')), 5_000, 100);
  logs.splice(0, logs.length, ...logs.filter((l) => !l.includes('probe of the error listener')));
}

async function assertAccessible(page: Page, where: string): Promise<void> {
  const findings = await seriousViolationsIn(page);
  assert.is(findings.length, 0, `${where}: serious or critical axe violations in Firefox\n${describeFindings(findings)}`);
}

/** Luma variance of the pre-join preview (the fake camera's picture is a flat colour: ~10). */
function previewVariance(page: Page): Promise<{ variance: number; label: string | null }> {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="preview-video"]')!;
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [320, 180];
    const g = canvas.getContext('2d')!;
    g.drawImage(video, 0, 0, 320, 180);
    const d = g.getImageData(0, 0, 320, 180).data;
    let [sum, sq] = [0, 0];
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
      sum += y;
      sq += y * y;
    }
    const n = d.length / 4;
    const track = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : undefined;
    return { variance: Math.round(sq / n - (sum / n) ** 2), label: track?.label ?? null };
  });
}

function sentTracks(page: Page): Promise<Array<{ kind: string; label: string; enabled: boolean }>> {
  return page.evaluate(() =>
    ((window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [])
      .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
      .flatMap((s) => (s.track ? [{ kind: s.track.kind, label: s.track.label, enabled: s.track.enabled }] : [])),
  );
}

ff('headless: the pre-join loads with no error; the picker says the effects are off because WebGL 2 is missing; noise suppression offered; no serious axe violation', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Firefox sans écran' });
  const firefox = await launchFirefox();
  try {
    const logs: string[] = [];
    const page = await firefoxPage(firefox.browser, logs);
    await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Renard'))}`);
    const state = await prejoinState(page);
    console.log(`  headless ${state.userAgent}: ${JSON.stringify({ ...state, userAgent: undefined })}`);
    assert.is(state.webgl2, false, 'headless Firefox has no WebGL 2 here');
    assert.equal(state.unavailable && [state.unavailable.reason, state.unavailable.missing], ['browserUnsupported', 'webgl2'], 'the picker says why: WebGL 2');
    assert.match(state.unavailable!.text ?? '', /WebGL 2/);
    assert.is(state.radios, 0, 'no choice offered');
    assert.is(state.noiseSuppression, true, 'noise suppression is offered, on');
    await assertAccessible(page, 'headless pre-join');
    await assertErrorsAreSeen(page, logs);
    assert.is(logs.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]')).join('\n'), '', 'no error in the page');
  } finally {
    await firefox.close();
  }
});

ff('with a display (software GL): the effects are offered and work in the preview; the page joins, sends its processed camera and its microphone, and a Node client receives both', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Firefox' });
  const bot = new WrtcBot('Ecoute');
  bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, 'Ecoute'), false);
  const firefox = await launchFirefox({ display: ctx.xvfb!.display });
  try {
    const logs: string[] = [];
    const page = await firefoxPage(firefox.browser, logs);
    await page.evaluateOnNewDocument(KEEP_PEER_CONNECTIONS);
    await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Renard'))}`);
    const state = await prejoinState(page);
    console.log(`  with a display: ${JSON.stringify({ ...state, userAgent: undefined })}`);
    assert.is(state.unavailable, null, `the effects are offered (${JSON.stringify(state.unavailable)})`);
    assert.is(state.radios, 7);
    await assertAccessible(page, 'pre-join with the effects');

    // The preview: the fake camera's flat picture, then the shipped office image behind it (no person: all background).
    const plain = await waitFor('the preview plays', async () => {
      const v = await previewVariance(page);
      return v.label ? v : null;
    }, WAIT_MS, 200);
    await page.$eval('[data-testid="background-image-office"]', (radio) => (radio as HTMLInputElement).click());
    const office = await waitFor('the preview shows the office image', async () => {
      const v = await previewVariance(page);
      return v.variance > plain.variance * 20 ? v : null;
    }, WAIT_MS, 250).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    console.log(`  preview luma variance: camera "${plain.label}" ${plain.variance}, with the office image ${office.variance} (track "${office.label}")`);
    assert.is(await page.$eval('[data-testid="background-notice"]', (n) => n.textContent), '', 'no notice: the effect runs');

    await page.click('[data-testid="join"]');
    const peerId = await page.waitForSelector('[data-testid="local-tile"][data-self-id]').then((h) => h!.evaluate((e) => e.getAttribute('data-self-id')!));
    if (await page.$eval('[data-testid="toggle-mic"]', (b) => b.className.includes('off'))) await page.click('[data-testid="toggle-mic"]');
    const received = await waitFor('the Node client receives Firefox\'s camera and microphone', async () => {
      const mine = [...bot.remote.values()].filter((r) => r.peerId === peerId && !r.closed && !r.paused);
      const video = mine.find((r) => r.kind === 'video' && r.frames > 30);
      const audio = mine.find((r) => r.kind === 'audio' && r.frames > 100);
      return video && audio ? { video, audio } : null;
    }, 30_000, 250).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify([...bot.remote.values()])}\n${logs.join('\n')}`);
    });
    const inbound = await bot.inboundVideo(received.video.consumerId);
    // Noise suppression: the RNNoise track replaces the microphone's once its audio context runs (a few seconds at most).
    const micLabel0 = await page.evaluate(() => navigator.mediaDevices.enumerateDevices().then((ds) => ds.find((d) => d.kind === 'audioinput')?.label));
    await waitFor('the processed microphone is sent', async () => (await sentTracks(page)).some((t) => t.kind === 'audio' && t.label !== micLabel0), 6_000, 250).catch(() => undefined);
    const sent = await sentTracks(page);
    const devices = await page.evaluate(() => navigator.mediaDevices.enumerateDevices().then((ds) => ds.map((d) => ({ kind: d.kind, label: d.label }))));
    const cameraLabel = devices.find((d) => d.kind === 'videoinput')?.label;
    const micLabel = devices.find((d) => d.kind === 'audioinput')?.label;
    const sentAudio = sent.find((t) => t.kind === 'audio');
    const suppressed = sentAudio ? sentAudio.label !== micLabel : null;
    console.log(
      `  joined: the Node client decoded ${inbound.framesDecoded} frames ${inbound.frameWidth}×${inbound.frameHeight} and ${received.audio.frames} audio chunks; ` +
        `sent ${JSON.stringify(sent)} (devices ${JSON.stringify(devices)}); noise suppression ${suppressed ? 'processing (RNNoise track sent)' : 'not processing (the microphone is sent as it is)'}`,
    );
    assert.equal(sent.filter((t) => t.kind === 'video').map((t) => [t.label === cameraLabel, t.enabled]), [[false, true]], `the processed camera is sent, not "${cameraLabel}"`);
    assert.ok(inbound.framesDecoded > 0 && inbound.frameWidth > 0, 'the camera is decoded on the other side');
    await sleep(500);
    await assertErrorsAreSeen(page, logs);
    const errors = logs.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]') || /noise suppression unavailable|background effect turned off/.test(l));
    // Not processing here: the page's AudioContext stays "suspended" (this machine has no audio output for
    // Firefox; the worklet module and a 48 kHz source from the fake microphone both load): the raw microphone is sent, without error.
    assert.is(errors.filter((l) => !/noise suppression unavailable/.test(l)).join('\n'), '', 'no error in the page');
  } finally {
    await firefox.close();
  }
});

exitAfterRun(ff);
