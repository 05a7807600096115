/**
 * Recording benchmark: N synthetic participants (real WebRTC, Opus + VP8 320×240 at 15 fps) in a
 * room, first unflagged, then flagged for recording. Measures, on the same machine:
 *  - the CPU of recording while it runs: the recorder process, its ffmpeg captures (stream copy),
 *    and the extra CPU of the mediasoup worker (the PlainTransport taps), per recorded stream;
 *  - the whole recorder's CPU while the meeting runs (captures and the segments composed live,
 *    COMP-6), per recorded room;
 *  - how long after the room emptied the recording is ready (only the last segment is left);
 *  - A/V timing: how far each track's wall-clock timestamps drift from its own media clock
 *    (what the composition compensates), and the composed file's audio vs video duration.
 *
 *   npm run bench:recording -- --participants 4 --duration 60 --segment 60
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { RecordingInfo } from '@nomades/shared';
import { startTestServer } from '../../tests/helpers/testServer.js';
import { sleep, waitFor } from '../../tests/helpers/waitFor.js';
import { WrtcBot } from '../../tests/helpers/WrtcBot.js';
import { childPids, cpuShare, machine, sampleProcess, treeCpuSeconds } from './lib/procStats.js';

const exec = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '4' },
    duration: { type: 'string', default: '60' },
    baseline: { type: 'string', default: '10' },
    segment: { type: 'string', default: '60' },
  },
});
const N = Number(args.participants);
const DURATION = Number(args.duration);
const BASELINE = Number(args.baseline);
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** CPU seconds of a set of processes (summed), sampled now. */
function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (sampleProcess(pid)?.cpuSeconds ?? 0), 0);
}

async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 1 << 26 });
  return stdout.split('\n').filter(Boolean).map(Number);
}

async function streamDurations(file: string): Promise<{ audio: number; video: number }> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,duration', '-of', 'json', file]);
  const streams = (JSON.parse(stdout) as { streams: Array<{ codec_type: string; duration: string }> }).streams;
  const of = (t: string) => Number(streams.find((s) => s.codec_type === t)?.duration ?? NaN);
  return { audio: of('audio'), video: of('video') };
}

const SEGMENT = Number(args.segment);
const srv = await startTestServer({}, { recording: { recorderEnv: { RECORDER_SEGMENT_S: String(SEGMENT) } } });
const bots: WrtcBot[] = [];
try {
  const admin = { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' };
  const { id } = await srv.createRoom({ name: 'bench' });
  for (let i = 0; i < N; i++) {
    const bot = new WrtcBot(`bot${i}`);
    bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, bot.name));
  }
  const workerPids = srv.server.pool.workers.map((w) => w.worker.pid);
  await sleep(3000);
  // Baseline: the same room, not recorded.
  const w0 = cpuOf(workerPids);
  await sleep(BASELINE * 1000);
  const workerBaseline = (cpuOf(workerPids) - w0) / BASELINE;

  const flaggedAt = Date.now();
  await fetch(`${srv.url}/api/rooms/${id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ record: true }) });
  const recorderPid = srv.server.recording.recorder!.pid!;
  const captures = () => childPids(recorderPid).filter((pid) => sampleProcess(pid)?.name === 'ffmpeg');
  await waitFor('every stream captured', () => captures().length >= 2 * N, 30_000);
  await sleep(2000);
  const ffmpegPids = captures();
  const window = Math.max(5, DURATION - (Date.now() - flaggedAt) / 1000);
  const before = { rec: sampleProcess(recorderPid), ff: cpuOf(ffmpegPids), w: cpuOf(workerPids), tree: treeCpuSeconds(recorderPid) };
  await sleep(window * 1000);
  const after = { rec: sampleProcess(recorderPid), ff: cpuOf(ffmpegPids), w: cpuOf(workerPids), tree: treeCpuSeconds(recorderPid) };
  const treeCpu = (after.tree - before.tree) / window;
  const recorderCpu = cpuShare(before.rec, after.rec, window);
  const ffmpegCpu = (after.ff - before.ff) / window;
  const workerCpu = (after.w - before.w) / window;

  for (const bot of bots.splice(0)) await bot.leave();
  const leftAt = Date.now();
  const processingAt = await waitFor('processing', async () => {
    const [r] = (await (await fetch(`${srv.url}/api/rooms/${id}/recordings`, { headers: admin })).json()) as RecordingInfo[];
    return r?.status === 'processing' || r?.status === 'ready' ? Date.now() : undefined;
  }, 60_000, 50);
  let composeCpu = 0;
  let last = cpuOf(childPids(recorderPid));
  const ready = await waitFor('ready', async () => {
    const now = cpuOf(childPids(recorderPid));
    if (now > last) composeCpu += now - last;
    last = now;
    const [r] = (await (await fetch(`${srv.url}/api/rooms/${id}/recordings`, { headers: admin })).json()) as RecordingInfo[];
    if (r?.status === 'failed') throw new Error(r.error);
    return r?.status === 'ready' ? r : undefined;
  }, 30 * 60_000, 100);
  const readyAfterEmpty = (Date.now() - leftAt) / 1000;
  const composeSeconds = (Date.now() - processingAt) / 1000;
  
  // A/V timing: each track's wall-clock span vs its media duration (Opus: 20 ms per packet,
  // VP8: frames at the sender's 15 fps are not constant, so audio is the reference clock).
  const dir = path.join(srv.server.config.recordingsDir, ready.id);
  const drifts: number[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.includes('-microphone-') && f.endsWith('.mkv'))) {
    const times = await packetTimes(path.join(dir, f));
    const wall = times[times.length - 1] - times[0];
    const media = (times.length - 1) * 0.02;
    drifts.push(((wall - media) * 1000) / (wall / 60));
  }
  const composed = await streamDurations(path.join(dir, `${ready.id}.mp4`));

  console.log(`\n== recording benchmark: ${N} participants (${2 * N} streams: Opus + VP8 320×240@15), ${window.toFixed(0)} s measured ==`);
  console.log(`  machine                        ${machine()}`);
  console.log(`  CPU recorder (Node)            ${pct(recorderCpu)} of a core`);
  console.log(`  CPU ffmpeg captures            ${pct(ffmpegCpu)} of a core for ${ffmpegPids.length} processes → ${pct(ffmpegCpu / (2 * N))} per stream`);
  console.log(`  CPU mediasoup worker           ${pct(workerBaseline)} unrecorded → ${pct(workerCpu)} recorded: ${pct((workerCpu - workerBaseline) / (2 * N))} per tapped stream`);
  console.log(`  recording cost per stream      ${pct((recorderCpu + ffmpegCpu + workerCpu - workerBaseline) / (2 * N))} of a core`);
  console.log(`  session                        ${(ready.durationMs / 1000).toFixed(1)} s recorded, ${(ready.sizeBytes / 1e6).toFixed(1)} MB MP4`);
  console.log(`  left → processing              ${((processingAt - leftAt) / 1000).toFixed(1)} s`);
  console.log(`  recorder while recording       ${pct(treeCpu)} of a core: the recorder, its captures and the segments composed live (segments of ${SEGMENT} s)`);
  console.log(`  room emptied → ready           ${readyAfterEmpty.toFixed(1)} s`);
  console.log(`  work after the meeting         ${composeSeconds.toFixed(1)} s (${(composeCpu / composeSeconds).toFixed(2)} cores busy)`);
  console.log(`  audio wall clock vs media clock ${drifts.map((d) => `${d.toFixed(1)}`).join(', ')} ms per minute (per participant; compensated by aresample)`);
  console.log(`  composed audio − video length  ${((composed.audio - composed.video) * 1000).toFixed(0)} ms`);
} finally {
  for (const b of bots) b.close();
  await srv.close();
  process.exit(0);
}
