import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, CHROMIUM_FLAGS, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot, type RemoteTrackStats } from '../helpers/WrtcBot.js';

/**
 * Noise suppression (issue 24): the web client sends its microphone through RNNoise (WebAssembly in
 * an AudioWorklet), on by default, switchable in the device settings during a call without a new
 * producer. Chromium's fake microphone plays a WAV this file makes: French speech from espeak-ng
 * mixed with white noise (-35 dBFS), noise alone before and after the speech. A WrtcBot receives
 * the page's microphone through the real server and mediasoup and decodes it (Opus → PCM): the
 * level of the noise-only stretches with suppression on and off, and that of the speech.
 */
const SECONDS = 12;
const SPEECH_AT_S = 3;
const WAV = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-ns-')), 'mic.wav');

/** The fake microphone: 12 s looped by Chromium, speech from 3 s on, white noise all along. */
function makeMicrophoneWav(): { speechS: number } {
  const speech = WAV.replace(/mic\.wav$/, 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'fr', '-s', '150', '-w', speech, 'Bonjour à tous, je vous entends très bien. La réunion commence maintenant, merci d’être venus.']);
  const speechS = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', speech]).toString().trim());
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', speech,
    '-f', 'lavfi', '-i', `anoisesrc=color=white:amplitude=0.03:sample_rate=48000:duration=${SECONDS}:seed=7`,
    '-filter_complex', `[0:a]aresample=48000,adelay=${SPEECH_AT_S * 1000}:all=1,apad=whole_dur=${SECONDS}[s];[s][1:a]amix=inputs=2:normalize=0:duration=first,atrim=0:${SECONDS}[o]`,
    '-map', '[o]', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', WAV,
  ]);
  return { speechS };
}
const { speechS } = makeMicrophoneWav();

const ns = browserSuite('noise suppression', {}, {}, { flags: [...CHROMIUM_FLAGS, `--use-file-for-fake-audio-capture=${WAV}`] });
type Ctx = BrowserSuiteContext;
const bots: WrtcBot[] = [];
ns.after.each(() => {
  for (const b of bots.splice(0)) b.close();
});
ns.after(() => fs.rmSync(path.dirname(WAV), { recursive: true, force: true }));

const db = (rms: number) => 20 * Math.log10(Math.max(rms, 1e-9));

/** RMS (dBFS) of each 100 ms window of mono PCM (16-bit). */
function windowLevels(samples: Int16Array, rate = 48_000): number[] {
  const size = rate / 10;
  const levels: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += (samples[i] / 32768) ** 2;
    levels.push(db(Math.sqrt(sum / size)));
  }
  return levels;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

/** The levels of the WAV itself: its noise-only and speech stretches (the unprocessed reference). */
function sourceLevels(): { noise: number; speech: number } {
  const pcm = fs.readFileSync(WAV);
  const data = pcm.subarray(pcm.indexOf('data') + 8);
  const samples = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + (data.length & ~1)));
  const levels = windowLevels(samples);
  const noise = levels.slice(0, (SPEECH_AT_S - 0.5) * 10);
  const speech = levels.slice(SPEECH_AT_S * 10, (SPEECH_AT_S + speechS) * 10);
  return { noise: percentile(noise, 50), speech: percentile(speech, 90) };
}

/**
 * The decoded audio of one consumer for `ms`, as 100 ms levels: the quiet ones (20th percentile:
 * noise-only, which is more than half of the file) and the loud ones (90th: speech).
 */
async function measure(bot: WrtcBot, consumerId: string, ms: number): Promise<{ noise: number; speech: number; windows: number }> {
  const chunks: Int16Array[] = [];
  bot.onAudioData = (stats: RemoteTrackStats, data) => {
    if (stats.consumerId !== consumerId) return;
    const mono = new Int16Array(data.numberOfFrames);
    for (let i = 0; i < data.numberOfFrames; i++) mono[i] = data.samples[i * data.channelCount];
    chunks.push(mono);
  };
  await sleep(ms);
  bot.onAudioData = undefined;
  const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) all.set(c, at), (at += c.length);
  const levels = windowLevels(all);
  return { noise: percentile(levels, 20), speech: percentile(levels, 90), windows: levels.length };
}

/** The page's sent microphone track: its label (the device's, or none for the processed one), enabled. */
function sentMicrophone(page: Page): Promise<Array<{ label: string; enabled: boolean }>> {
  return page.evaluate(() =>
    ((window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [])
      .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
      .flatMap((s) => (s.track && s.track.kind === 'audio' ? [{ label: s.track.label, enabled: s.track.enabled }] : [])),
  );
}

const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
})();`;

async function setSuppression(page: Page, on: boolean): Promise<void> {
  const box = page.locator('[data-testid="noise-suppression"]');
  if (on) await box.check();
  else await box.uncheck();
}

ns('on by default: noise-only stretches arrive attenuated, speech does not; switching it off and on keeps the producer, the consumer and the mute state', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Bruit de fond' });
  const bot = new WrtcBot('Ecoute');
  bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, 'Ecoute'), false);

  const page = await openPageIn(ctx.browser!, ctx.contexts, 'about:blank', logs, { locale: 'fr-FR' });
  await page.addInitScript(KEEP_PEER_CONNECTIONS);
  await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Nora', 'host'))}`);
  assert.ok(await page.locator('[data-testid="noise-suppression"]').isChecked(), 'pre-join: noise suppression is on by default');
  await page.click('[data-testid="join"]'); // a click: the audio context may start (autoplay)
  const peerId = await selfId(page);
  const micOn = async () => (await page.locator('[data-testid="toggle-mic"]').getAttribute('class'))?.includes('off') === false;
  if (!(await micOn())) await page.click('[data-testid="toggle-mic"]');
  await waitFor('the microphone is on', micOn, WAIT_MS);

  const audio = await waitFor('the bot consumes the page\'s microphone', async () => [...bot.remote.values()].find((r) => r.peerId === peerId && r.kind === 'audio' && !r.closed && !r.paused && r.frames > 50), WAIT_MS, 200);
  const { consumerId, producerId } = audio;
  const deviceLabel = (await page.evaluate(() => navigator.mediaDevices.enumerateDevices())).find((d) => d.kind === 'audioinput')?.label ?? '';
  await waitFor('the processed track is sent', async () => (await sentMicrophone(page)).some((t) => t.label !== deviceLabel), WAIT_MS, 200);

  const source = sourceLevels();
  await sleep(1_000);
  const on = await measure(bot, consumerId, SECONDS * 1000 + 1000);

  await page.click('[data-testid="toggle-settings"]');
  await page.locator('[data-testid="settings-panel"]').waitFor();
  await setSuppression(page, false);
  await waitFor('the device\'s own track is sent', async () => (await sentMicrophone(page)).some((t) => t.label === deviceLabel), WAIT_MS, 200);
  await sleep(1_000);
  const off = await measure(bot, consumerId, SECONDS * 1000 + 1000);

  const attenuation = off.noise - on.noise;
  const speechLoss = off.speech - on.speech;
  console.log(
    `noise suppression: source noise ${source.noise.toFixed(1)} dBFS, speech ${source.speech.toFixed(1)} dBFS; received off: noise ${off.noise.toFixed(1)}, speech ${off.speech.toFixed(1)}; ` +
      `on: noise ${on.noise.toFixed(1)}, speech ${on.speech.toFixed(1)} → noise attenuated by ${attenuation.toFixed(1)} dB, speech changed by ${(-speechLoss).toFixed(1)} dB (${on.windows}/${off.windows} windows)`,
  );
  assert.ok(off.speech - off.noise > 6, `without suppression the speech stands above the noise (${off.speech.toFixed(1)} vs ${off.noise.toFixed(1)} dBFS)`);
  assert.ok(attenuation >= 10, `the noise-only stretches are attenuated by at least 10 dB (${attenuation.toFixed(1)} dB)`);
  assert.ok(speechLoss <= 6, `the speech is not silenced: within 6 dB of the unprocessed speech (${speechLoss.toFixed(1)} dB lower)`);
  assert.ok(on.speech - on.noise > off.speech - off.noise + 10, 'the speech-to-noise ratio improves');

  // Muted, then switched back on: still muted (the new track is disabled), same producer and consumer.
  await page.click('[data-testid="toggle-mic"]');
  await waitFor('the microphone is muted', async () => !(await micOn()), WAIT_MS);
  await setSuppression(page, true);
  await waitFor('the processed track is sent again', async () => (await sentMicrophone(page)).some((t) => t.label !== deviceLabel), WAIT_MS, 200);
  assert.equal((await sentMicrophone(page)).map((t) => t.enabled), [false], 'switched while muted: the sent track stays disabled');
  assert.not.ok(await micOn(), 'the microphone button still says muted');
  await page.click('[data-testid="toggle-mic"]');
  await waitFor('the microphone is on again', micOn, WAIT_MS);
  const again = await measure(bot, consumerId, 3_000);
  assert.ok(again.windows >= 20, `audio flows on the same consumer after unmuting (${again.windows} windows)`);

  const mine = [...bot.remote.values()].filter((r) => r.peerId === peerId && r.kind === 'audio');
  assert.equal(mine.map((r) => [r.consumerId, r.producerId, r.closed]), [[consumerId, producerId, false]], 'one consumer all along, of the same producer');
  const producers = [...srv.server.registry.get(id)!.getPeer(peerId)!.media.producers.values()].filter((p) => p.appData.source === 'microphone');
  assert.equal(producers.map((p) => p.id), [producerId], 'the server has the same microphone producer');
  assert.is(logs.filter((l) => /wasm|worklet|Content Security/i.test(l)).join('\n'), '', 'no wasm, worklet or CSP error in the page');
});

exitAfterRun(ns);
