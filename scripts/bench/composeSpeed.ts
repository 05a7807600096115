/**
 * `npm run bench:compose -- --cameras 4 --duration 60`: how fast the recorder composes, for
 * several encoder settings (COMP-4 in recorder/README.md). Makes N camera tracks (VP8 640×360 at
 * 30 fps, a moving test picture with noise, as a webcam's detail) and N microphone tracks (Opus),
 * laid on one wall-clock timeline as the capture writes them, then composes them with each setting
 * and prints the speed (× real time), the cores used and the size per minute. Real ffmpeg; nothing
 * else should run meanwhile.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { composePlan, type PlannedTrack } from '../../recorder/src/composePlan.js';
import { composeFile, type EncoderSettings } from '../../recorder/src/ffmpeg.js';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '4' }, duration: { type: 'string', default: '60' } } });
const cameras = Number(values.cameras);
const duration = Number(values.duration);
const log = pino({ level: 'silent' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-bench-compose-'));

const settings: Array<{ name: string; encoder: EncoderSettings; size: { width: number; height: number } }> = [
  { name: '720p25 veryfast crf26 (before)', encoder: { preset: 'veryfast', crf: 26, fps: 25 }, size: { width: 1280, height: 720 } },
  { name: '720p15 veryfast crf26', encoder: { preset: 'veryfast', crf: 26, fps: 15 }, size: { width: 1280, height: 720 } },
  { name: '720p15 superfast crf26', encoder: { preset: 'superfast', crf: 26, fps: 15 }, size: { width: 1280, height: 720 } },
  { name: '720p15 ultrafast crf28', encoder: { preset: 'ultrafast', crf: 28, fps: 15 }, size: { width: 1280, height: 720 } },
  { name: '540p15 superfast crf26', encoder: { preset: 'superfast', crf: 26, fps: 15 }, size: { width: 960, height: 540 } },
];

function track(name: string, kind: 'audio' | 'video', start: number, i: number): PlannedTrack {
  const file = path.join(dir, `${name}.mkv`);
  const input =
    kind === 'video'
      ? ['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${duration},noise=alls=4:allf=t`]
      : ['-f', 'lavfi', '-i', `sine=frequency=${300 + 100 * i}:sample_rate=48000:duration=${duration}`];
  const codec = kind === 'video' ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k'] : ['-c:a', 'libopus', '-ac', '2'];
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, ...codec, '-output_ts_offset', String(start), '-f', 'matroska', '-y', file]);
  return { file, kind, source: kind === 'video' ? 'camera' : 'microphone', peerId: `p${i}`, identity: `p${i}`, start, end: start + duration };
}

/** User + system CPU seconds of this process's waited-for children (ffmpeg): cutime and cstime of /proc/self/stat. */
function childCpuSeconds(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

console.log(`making ${cameras} cameras (VP8 640x360@30) and ${cameras} microphones of ${duration} s in ${dir} …`);
const t0 = 1_796_000_000;
const tracks: PlannedTrack[] = [];
for (let i = 0; i < cameras; i++) tracks.push(track(`cam${i}`, 'video', t0 + i * 0.3, i), track(`mic${i}`, 'audio', t0 + i * 0.3, i));
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ffmpeg ${execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split(' ')[2]}`);
console.log('| setting | compose time | speed (× real time) | cores busy | MB per minute |');
console.log('|---|---|---|---|---|');
for (const s of settings) {
  const plan = composePlan(tracks, { ...s.size, fps: s.encoder.fps });
  const output = path.join(dir, 'out.mp4');
  const cpuBefore = childCpuSeconds();
  const started = Date.now();
  const outcome = await composeFile({ inputs: plan.inputs, filter: plan.filter, durationSec: plan.durationSec, output, encoder: s.encoder, stallMs: 120_000, deadlineMs: 3_600_000, log }).done;
  const seconds = (Date.now() - started) / 1000;
  if (outcome.cause !== 'exit' || outcome.code !== 0) throw new Error(`${s.name}: ${outcome.stderrTail.join('\n')}`);
  const cores = (childCpuSeconds() - cpuBefore) / seconds;
  const mbPerMin = fs.statSync(output).size / 1e6 / (plan.durationSec / 60);
  console.log(`| ${s.name} | ${seconds.toFixed(1)} s | ${(plan.durationSec / seconds).toFixed(2)} | ${cores.toFixed(2)} | ${mbPerMin.toFixed(2)} |`);
}
fs.rmSync(dir, { recursive: true, force: true });
