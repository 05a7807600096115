import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compose, DEFAULT_COMPOSE_LIMITS } from '../../recorder/src/compose.js';
import { composePlan, type PlannedTrack } from '../../recorder/src/composePlan.js';
import { CompositionFailed } from '../../recorder/src/CompositionFailed.js';
import { composeFile, probeFile, probeTrack } from '../../recorder/src/ffmpeg.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * Issue 20, part 1 (COMP-1…COMP-3, RUN-1…RUN-4 in recorder/README.md), with the real ffmpeg:
 *  - the reported hang: four tracks of a real meeting whose composition made ffmpeg 5.1 spin for
 *    ever after `progress=end` (tests/fixtures/recording/compose-hang) compose, on the first plan,
 *    to a file as long as the meeting in both streams;
 *  - its shape, made here: staggered starts, a camera seconds late after its microphone, a
 *    participant whose tracks end early; both plans (usual and safe) make a complete file;
 *  - a composition that hangs (a stand-in for ffmpeg that reports a little progress and then
 *    neither advances nor obeys SIGINT) is killed by the watchdog, retried once with the safe
 *    plan, then fails with both causes, its tracks untouched.
 */
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/recording/compose-hang');
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
type Ctx = { dir: string };
const test = suite<Ctx>('recording composition', { dir: '' });

test.before((ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-compose-'));
});
test.after((ctx) => {
  delete process.env.FFMPEG_PATH;
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

async function planned(files: string[]): Promise<PlannedTrack[]> {
  return Promise.all(
    files.map(async (file) => {
      const probe = (await probeTrack(file))!;
      const [identity, source] = path.basename(file).split(/-(microphone|camera)-/);
      return { file, kind: source === 'camera' ? 'video' : 'audio', source: source as 'camera' | 'microphone', peerId: identity, identity, start: probe.start, end: probe.end };
    }),
  );
}

const streamDurations = async (file: string) => {
  const probe = await probeFile(file);
  const of = (type: string) => Number(probe.streams.find((s) => s.codec_type === type)?.duration ?? 0);
  return { video: of('video'), audio: of('audio') };
};

test('COMP-1: the reported hang composes, on the first plan, to a file as long as the meeting', async (ctx) => {
  const tracks = await planned(fs.readdirSync(FIXTURE).filter((f) => f.endsWith('.mkv')).map((f) => path.join(FIXTURE, f)));
  assert.is(tracks.length, 4);
  const meeting = Math.max(...tracks.map((t) => t.end)) - Math.min(...tracks.map((t) => t.start));
  const retries: string[] = [];
  const started = Date.now();
  const result = await compose({
    tracks,
    output: path.join(ctx.dir, 'fixture.mp4'),
    partial: path.join(ctx.dir, 'fixture.part.mp4'),
    limits: { ...DEFAULT_COMPOSE_LIMITS, stallMs: 30_000 },
    signal: new AbortController().signal,
    onRetry: (reason) => retries.push(reason),
    log,
  });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(retries, [], 'no retry: the first plan finishes');
  assert.ok(Math.abs(result.durationSec - meeting) < 0.01, `${result.durationSec} s for a meeting of ${meeting} s`);
  const d = await streamDurations(path.join(ctx.dir, 'fixture.mp4'));
  // Before the fix the picture stopped at 15.2 s of 26.3 (and ffmpeg never exited).
  assert.ok(Math.abs(d.video - meeting) < 0.2, `video ${d.video} s of ${meeting} s`);
  assert.ok(Math.abs(d.audio - meeting) < 0.2, `audio ${d.audio} s of ${meeting} s`);
  console.log(`fixture: ${meeting.toFixed(2)} s composed in ${seconds.toFixed(1)} s`);
});

/** A track with absolute timestamps from `start` (seconds since the epoch), as the capture writes them. */
function makeTrack(file: string, kind: 'audio' | 'video', start: number, duration: number): string {
  const input = kind === 'video' ? ['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=15:duration=${duration}`] : ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${duration}`];
  const codec = kind === 'video' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k'] : ['-c:a', 'libopus', '-ac', '2'];
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, ...codec, '-output_ts_offset', String(start), '-f', 'matroska', '-y', file]);
  return file;
}

test('COMP-1/3: staggered starts, a camera 4 s late, a participant who leaves early: both plans make the whole meeting', async (ctx) => {
  const t0 = 1_796_000_000;
  const files = [
    makeTrack(path.join(ctx.dir, 'ada-microphone-1.mkv'), 'audio', t0, 20),
    makeTrack(path.join(ctx.dir, 'ada-camera-1.mkv'), 'video', t0 + 1.1, 18.9),
    makeTrack(path.join(ctx.dir, 'bob-microphone-1.mkv'), 'audio', t0 + 5, 7),
    makeTrack(path.join(ctx.dir, 'bob-camera-1.mkv'), 'video', t0 + 9, 3),
  ];
  const tracks = await planned(files);
  for (const safe of [false, true]) {
    const output = path.join(ctx.dir, `shape-${safe}.mp4`);
    const plan = composePlan(tracks, { safe });
    assert.ok(Math.abs(plan.durationSec - 20) < 0.1, `plan ${safe ? 'safe' : 'usual'}: ${plan.durationSec} s`);
    const outcome = await composeFile({ inputs: plan.inputs, filter: plan.filter, durationSec: plan.durationSec, output, stallMs: 30_000, deadlineMs: 120_000, threads: safe ? 1 : 0, log }).done;
    assert.equal([outcome.cause, outcome.code], ['exit', 0], outcome.stderrTail.join('\n'));
    const d = await streamDurations(output);
    assert.ok(Math.abs(d.video - 20) < 0.2 && Math.abs(d.audio - 20) < 0.2, `plan ${safe ? 'safe' : 'usual'}: ${JSON.stringify(d)}`);
  }
});

test('RUN-2/COMP-3: a composition that hangs is killed, retried once with the safe plan, then fails; its tracks are kept', async (ctx) => {
  const stub = path.join(ctx.dir, 'ffmpeg-hangs');
  // Reports a little progress, then neither advances nor obeys SIGINT: only SIGKILL ends it.
  fs.writeFileSync(stub, `#!/bin/bash\ntrap '' INT TERM\necho out_time_us=1000000\necho progress=continue\necho "stand-in: hanging" >&2\nwhile :; do sleep 0.2; done\n`, { mode: 0o755 });
  const files = [makeTrack(path.join(ctx.dir, 'cy-microphone-1.mkv'), 'audio', 1_796_000_000, 3), makeTrack(path.join(ctx.dir, 'cy-camera-1.mkv'), 'video', 1_796_000_000, 3)];
  const before = files.map((f) => fs.statSync(f).size);
  const tracks = await planned(files);
  process.env.FFMPEG_PATH = stub;
  const retries: string[] = [];
  const started = Date.now();
  try {
    await compose({
      tracks,
      output: path.join(ctx.dir, 'hang.mp4'),
      partial: path.join(ctx.dir, 'hang.part.mp4'),
      limits: { stallMs: 1500, deadlineBaseMs: 60_000, deadlinePerSecond: 0 },
      signal: new AbortController().signal,
      onRetry: (reason) => retries.push(reason),
      log,
    });
    assert.unreachable('a hanging composition must fail');
  } catch (error) {
    assert.instance(error, CompositionFailed);
    const message = (error as Error).message;
    assert.match(message, /attempt 1 \(usual plan\): ffmpeg made no progress and was killed \(stand-in: hanging\)/);
    assert.match(message, /attempt 2 \(safe plan\): ffmpeg made no progress and was killed/);
    assert.match(message, /captured tracks are kept/);
  } finally {
    delete process.env.FFMPEG_PATH;
  }
  const seconds = (Date.now() - started) / 1000;
  assert.is(retries.length, 1, 'one retry');
  // Two stalls of 1.5 s, each followed by the stop ladder's SIGKILL 2 s later.
  assert.ok(seconds > 6 && seconds < 15, `ended in ${seconds} s`);
  assert.equal(files.map((f) => fs.statSync(f).size), before, 'the tracks are untouched');
  assert.not.ok(fs.existsSync(path.join(ctx.dir, 'hang.mp4')) || fs.existsSync(path.join(ctx.dir, 'hang.part.mp4')), 'no partial file left');
  assert.is(spawnSync('pgrep', ['-f', stub]).status, 1, 'no stand-in process is left');
});

exitAfterRun(test);
