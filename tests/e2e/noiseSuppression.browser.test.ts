import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, CHROMIUM_FLAGS, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { dropSignaling, htmlAttributeScript, KEEP_PEER_CONNECTIONS, sentTracks, sessionLog } from '../helpers/pageSpies.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot, type RemoteTrackStats } from '../helpers/WrtcBot.js';

/**
 * Noise suppression (issue 24): the web client sends its microphone through RNNoise (WebAssembly in
 * an AudioWorklet), on by default, switchable in the device settings during a call without a new
 * producer. Chromium's fake microphone plays a WAV this file makes: French speech from espeak-ng
 * mixed with white noise (-35 dBFS), noise alone before and after the speech. A WrtcBot receives
 * the page's microphone through the real server and mediasoup and decodes it (Opus → PCM): the
 * level of the noise-only stretches with suppression on and off, and that of the speech. It is
 * still on after a resume (the page's socket dropped) and after a full rejoin (the server ended
 * the participation): the same consumer, then a new producer, of the processed track. Turned off
 * by the operator (the page as NOISE_SUPPRESSION=off serves it, tests/integration/
 * noiseSuppressionOperator.test.ts) or impossible (no AudioWorklet), there is no toggle, or it
 * falls back, and the raw microphone is sent.
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

/**
 * A short measurement after a reconnection: longer than the noise-only stretch of the loop (12 s
 * less the speech, 6.2 s), so that both the speech (≥ 10 % of the windows) and the noise are in it.
 */
const SHORT_MS = 7_500;

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
 * noise-only, which is more than half of the file; a lower one for a few seconds, which may fall
 * mostly on the speech and its pauses) and the loud ones (90th: speech).
 */
async function measure(bot: WrtcBot, consumerId: string, ms: number, quietPercentile = 20): Promise<{ noise: number; speech: number; windows: number }> {
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
  return { noise: percentile(levels, quietPercentile), speech: percentile(levels, 90), windows: levels.length };
}

/** The page's sent microphone track: its label (the device's, or none for the processed one), enabled. */
async function sentMicrophone(page: Page): Promise<Array<{ label: string; enabled: boolean }>> {
  return (await sentTracks(page, 'audio')).map(({ label, enabled }) => ({ label, enabled }));
}

async function setSuppression(page: Page, on: boolean): Promise<void> {
  const box = page.locator('[data-testid="noise-suppression"]');
  if (on) await box.check();
  else await box.uncheck();
}

ns('on by default: noise-only stretches arrive attenuated, speech does not; switching it off and on keeps the producer, the consumer and the mute state; still on after a resume and a full rejoin', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Bruit de fond' });
  const bot = new WrtcBot('Ecoute');
  bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, 'Ecoute'), false);

  const page = await openPageIn(ctx.browser!, ctx.contexts, 'about:blank', logs, { locale: 'fr-FR' });
  await page.addInitScript(KEEP_PEER_CONNECTIONS);
  const session = sessionLog(page);
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

  // A resume (the page's socket dropped, SIG-13): the same participant, producer and consumer, still processed.
  assert.is(await dropSignaling(page), 1, 'the page had one signaling socket open');
  await waitFor(`the page resumes\n${session.join('\n')}`, async () => session.some((l) => l.includes('resumed after')), WAIT_MS, 100);
  await waitFor('the processed track is still sent', async () => (await sentMicrophone(page)).some((t) => t.label !== deviceLabel), WAIT_MS, 200);
  await sleep(500);
  const resumed = await measure(bot, consumerId, SHORT_MS, 10);
  assert.equal(
    [...bot.remote.values()].filter((r) => r.peerId === peerId && r.kind === 'audio').map((r) => [r.consumerId, r.closed]),
    [[consumerId, false]],
    'after the resume: the same consumer',
  );

  // A full rejoin (the server ended the participation, as at a worker's death): a new peer and a new producer, still processed.
  srv.server.registry.get(id)!.getPeer(peerId)!.kick('UNAVAILABLE', 'test: the participation ends');
  await waitFor(`the page rejoins\n${session.join('\n')}`, async () => session.some((l) => l.includes('rejoined after')), WAIT_MS, 100);
  const newId = await waitFor('a new peer id', async () => {
    const self = await page.locator('[data-testid="local-tile"][data-self-id]').getAttribute('data-self-id');
    return self && self !== peerId ? self : null;
  }, WAIT_MS, 100);
  const rejoined = await waitFor('the bot consumes the new microphone', async () => [...bot.remote.values()].find((r) => r.peerId === newId && r.kind === 'audio' && !r.closed && !r.paused && r.frames > 50), WAIT_MS, 200);
  assert.is.not(rejoined.producerId, producerId, 'a new producer');
  const newProducers = [...srv.server.registry.get(id)!.getPeer(newId)!.media.producers.values()].filter((p) => p.appData.source === 'microphone');
  assert.equal(newProducers.map((p) => p.id), [rejoined.producerId], 'the server has the new microphone producer');
  assert.ok(
    (await sentMicrophone(page)).some((t) => t.label !== deviceLabel && t.enabled),
    `the new producer sends the processed track, unmuted: ${JSON.stringify(await sentMicrophone(page))}`,
  );
  assert.ok(await page.locator('[data-testid="noise-suppression"]').isChecked(), 'the toggle still says on');
  await sleep(500);
  const afterRejoin = await measure(bot, rejoined.consumerId, SHORT_MS, 10);
  console.log(
    `noise suppression across reconnections (${SHORT_MS / 1000} s, 10th-percentile noise): off ${off.noise.toFixed(1)} dBFS; after a resume ${resumed.noise.toFixed(1)} dBFS ` +
      `(${(off.noise - resumed.noise).toFixed(1)} dB attenuated, ${resumed.windows} windows); after a full rejoin ${afterRejoin.noise.toFixed(1)} dBFS ` +
      `(${(off.noise - afterRejoin.noise).toFixed(1)} dB attenuated, ${afterRejoin.windows} windows)`,
  );
  for (const [when, m] of [['after the resume', resumed], ['after the full rejoin', afterRejoin]] as const) {
    assert.ok(m.windows >= SHORT_MS / 100 - 5, `${when}: audio flows (${m.windows} windows)`);
    assert.ok(off.noise - m.noise >= 10, `${when}: the noise is still attenuated by at least 10 dB (${(off.noise - m.noise).toFixed(1)} dB)`);
    assert.ok(m.speech - m.noise > 10, `${when}: the speech still stands out (${m.speech.toFixed(1)} vs ${m.noise.toFixed(1)} dBFS)`);
  }
  assert.is(logs.filter((l) => /wasm|worklet|Content Security/i.test(l)).join('\n'), '', 'no wasm, worklet or CSP error in the page');
});

/**
 * The raw microphone's noise arrives above this (dBFS): the file's is at -35 dBFS, the browser's
 * own processing (getUserMedia's noiseSuppression constraint) lowers it to -43…-62 dBFS as it
 * adapts; RNNoise's output stays below -85 dBFS (the figures printed by the test above).
 */
const RAW_NOISE_ABOVE = -72;

/**
 * A page that cannot or may not process joins with the raw microphone: the device's own track is
 * sent, and its noise arrives far above RNNoise's floor. `how` sets the page up.
 */
async function joinRaw(
  ctx: Ctx,
  name: string,
  how: (page: Page) => Promise<unknown>,
): Promise<{ page: Page; logs: string[]; prejoinToggle: boolean; received: { noise: number; speech: number; windows: number }; source: number }> {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name });
  const bot = new WrtcBot('Ecoute');
  bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, 'Ecoute'), false);
  const page = await openPageIn(ctx.browser!, ctx.contexts, 'about:blank', logs, { locale: 'fr-FR' });
  page.on('console', (m) => m.type() === 'warning' && logs.push(`[warning] ${m.text()}`));
  await page.addInitScript(KEEP_PEER_CONNECTIONS);
  await how(page);
  await page.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Nora', 'host'))}`);
  await page.locator('[data-testid="join"]').waitFor();
  await page.locator('[data-testid="prejoin-toggle-mic"]').waitFor(); // the devices part of the pre-join is there
  const prejoinToggle = (await page.locator('[data-testid="noise-suppression"]').count()) > 0;
  return { page, logs, prejoinToggle, ...(await joinAndMeasure(page, bot)) };
}

async function joinAndMeasure(page: Page, bot: WrtcBot): Promise<{ received: { noise: number; speech: number; windows: number }; source: number }> {
  await page.click('[data-testid="join"]');
  const peerId = await selfId(page);
  const micOn = async () => (await page.locator('[data-testid="toggle-mic"]').getAttribute('class'))?.includes('off') === false;
  if (!(await micOn())) await page.click('[data-testid="toggle-mic"]');
  await waitFor('the microphone is on', micOn, WAIT_MS);
  const audio = await waitFor('the bot consumes the page\'s microphone', async () => [...bot.remote.values()].find((r) => r.peerId === peerId && r.kind === 'audio' && !r.closed && !r.paused && r.frames > 50), WAIT_MS, 200);
  const deviceLabel = (await page.evaluate(() => navigator.mediaDevices.enumerateDevices())).find((d) => d.kind === 'audioinput')?.label ?? '';
  assert.ok(deviceLabel, 'the fake microphone has a label');
  await sleep(1_500); // a suppressor that would start late has started by now
  assert.equal(await sentMicrophone(page), [{ label: deviceLabel, enabled: true }], 'the device\'s own track is sent');
  return { received: await measure(bot, audio.consumerId, 4_000, 10), source: sourceLevels().noise };
}

ns('NOISE_SUPPRESSION=off (the attribute the server writes): no toggle, before or in the meeting, and the raw microphone is sent', async (ctx) => {
  // The attribute createHttpApp writes with NOISE_SUPPRESSION=off (tests/integration/noiseSuppressionOperator.test.ts),
  // set as soon as <html> is parsed, before the client's (deferred) module runs (htmlAttributeScript).
  const { page, prejoinToggle, received, source } = await joinRaw(ctx, 'Sans réduction', (p) =>
    p.addInitScript(htmlAttributeScript('noise-suppression', 'off')),
  );
  assert.is(await page.evaluate(() => document.documentElement.dataset.noiseSuppression), 'off', 'the page carries the operator\'s switch');
  assert.not.ok(prejoinToggle, 'no noise-suppression toggle on the pre-join');
  await page.click('[data-testid="toggle-settings"]');
  await page.locator('[data-testid="settings-panel"]').waitFor();
  assert.is(await page.locator('[data-testid="noise-suppression"]').count(), 0, 'no noise-suppression toggle in the settings');
  console.log(`operator off: received noise ${received.noise.toFixed(1)} dBFS (source ${source.toFixed(1)}), speech ${received.speech.toFixed(1)} (${received.windows} windows)`);
  assert.ok(received.noise > RAW_NOISE_ABOVE, `the noise arrives unprocessed by RNNoise (${received.noise.toFixed(1)} dBFS, above ${RAW_NOISE_ABOVE})`);
});

ns('a browser without AudioWorklet: the page works, the toggle stays, the raw microphone is sent (told once in the console)', async (ctx) => {
  const { page, logs, prejoinToggle, received, source } = await joinRaw(ctx, 'Vieux navigateur', (p) => p.addInitScript('delete window.AudioWorkletNode; delete window.AudioWorklet;'));
  assert.is(await page.evaluate(() => typeof AudioWorkletNode), 'undefined');
  assert.ok(prejoinToggle, 'the pre-join offers it (the person\'s choice, kept for another browser of theirs)');
  await page.click('[data-testid="toggle-settings"]');
  await page.locator('[data-testid="settings-panel"]').waitFor();
  assert.ok(await page.locator('[data-testid="noise-suppression"]').isChecked(), 'the person\'s choice is kept');
  console.log(`no AudioWorklet: received noise ${received.noise.toFixed(1)} dBFS (source ${source.toFixed(1)}), speech ${received.speech.toFixed(1)} (${received.windows} windows)`);
  assert.ok(received.noise > RAW_NOISE_ABOVE, `the noise arrives unprocessed by RNNoise (${received.noise.toFixed(1)} dBFS, above ${RAW_NOISE_ABOVE})`);
  assert.ok(logs.some((l) => l.includes('noise suppression unavailable')), `the fallback is told\n${logs.join('\n')}`);
  assert.is(logs.filter((l) => l.startsWith('[pageerror]')).join('\n'), '', 'no error in the page');
});

exitAfterRun(ns);
