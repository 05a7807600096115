import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface AvSyncPair {
  /** Time of the flash in the file (seconds, the file's own timestamps). */
  t: number;
  /** Beep time − flash time, ms (positive: the audio is late). */
  offsetMs: number;
}

export interface AvSyncResult {
  pairs: AvSyncPair[];
  flashes: number;
  beeps: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Least-squares slope of the offset over time. */
  driftMsPerMin: number;
  /** Mean offset of the pairs in the first and in the last 60 s of the span measured. */
  firstMinuteMeanMs: number;
  lastMinuteMeanMs: number;
  unmatchedFlashes: number;
  unmatchedBeeps: number;
}

const RATE = 48_000;
/** Energy window: 1 ms, one period of the 1 kHz beep (so a steady beep's energy does not ripple). */
const WINDOW = 48;
/** A beep starts only after this much quiet. */
const QUIET_SAMPLES = RATE / 2;

/**
 * A/V sync of a file holding a sync marker (SyntheticMedia with markerPeriodMs: a picture that
 * flashes white and a 1 kHz beep at the same instant): finds every flash and every beep onset,
 * pairs each flash with the nearest beep (within half the marker period, or `maxPairMs`) and
 * reports the offsets. Video resolution is the file's frame interval (a flash is seen on the
 * first frame that shows it); audio onsets are found to about a sample.
 */
export async function measureAvSync(file: string, options: { maxPairMs?: number } = {}): Promise<AvSyncResult> {
  const [flashes, beeps] = await Promise.all([flashTimes(file), beepOnsets(file)]);
  return pairMarkers(flashes, beeps, options.maxPairMs);
}

/**
 * Times (seconds, the stream's own timestamps) of the frames where the mean luma rises above
 * halfway between the dark level (the median frame) and the bright one (the brightest frame).
 */
export async function flashTimes(file: string): Promise<number[]> {
  // -copyts keeps the stream's timestamps; settb=AVTB gives them in integer microseconds.
  const { stderr } = await exec('ffmpeg', ['-hide_banner', '-nostats', '-copyts', '-i', file, '-map', '0:v:0', '-vf', 'settb=AVTB,showinfo', '-f', 'null', '-'], {
    maxBuffer: 1 << 28,
  });
  const frames: Array<{ t: number; luma: number }> = [];
  for (const m of stderr.matchAll(/\] n:\s*\d+ pts:\s*(-?\d+) .*? mean:\[(\d+)/g)) frames.push({ t: Number(m[1]) / 1e6, luma: Number(m[2]) });
  if (frames.length === 0) return [];
  const sorted = frames.map((f) => f.luma).sort((a, b) => a - b);
  const dark = sorted[Math.floor(sorted.length / 2)];
  const bright = sorted[sorted.length - 1];
  if (bright - dark < 20) return [];
  const threshold = (dark + bright) / 2;
  return frames.filter((f, i) => f.luma >= threshold && (i === 0 || frames[i - 1].luma < threshold)).map((f) => f.t);
}

/**
 * Onsets (seconds, the stream's own timestamps) of the beeps: the 1 ms energy rises to half the
 * beep's (the 99th percentile of 1 ms energies: beeps must fill over 1 % of the time, a period up
 * to 10 s) after at least 500 ms below it; the onset is the middle of the first window at that
 * level, i.e. where a step in amplitude would be. A sample's
 * time is its decoded frame's timestamp plus its place in the frame, so a track whose packets
 * carry arrival times (a recorder's capture) is read on that clock, not by counting samples.
 */
export async function beepOnsets(file: string): Promise<number[]> {
  const [frames, { stdout }] = await Promise.all([
    audioFrames(file),
    exec('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', '-'], { encoding: 'buffer', maxBuffer: 1 << 28 }),
  ]);
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.byteLength / 2));
  const blocks: number[] = [];
  for (let b = 0; b + WINDOW <= samples.length; b += WINDOW) blocks.push(energy(samples, b));
  if (blocks.length === 0 || frames.length === 0) return [];
  blocks.sort((a, b) => a - b);
  const level = blocks[Math.floor(blocks.length * 0.99)];
  if (level < WINDOW * 300 ** 2) return []; // below -40 dBFS: no beep
  const threshold = level / 2;
  const onsets: number[] = [];
  let e = energy(samples, 0);
  let lastLoud = 0; // the first 500 ms of the file cannot hold an onset (it may start mid-beep)
  let frame = 0;
  for (let i = 0; i + WINDOW <= samples.length; i++) {
    if (i > 0) e += samples[i + WINDOW - 1] ** 2 - samples[i - 1] ** 2; // integers: exact
    if (e < threshold) continue;
    if (i - lastLoud >= QUIET_SAMPLES) {
      const onset = i + WINDOW / 2;
      while (frame + 1 < frames.length && frames[frame + 1].first <= onset) frame++;
      onsets.push(frames[frame].t + (onset - frames[frame].first) / RATE);
    }
    lastLoud = i;
  }
  return onsets;
}

/** The decoded audio frames: timestamp (s) and index of their first sample at 48 kHz. */
async function audioFrames(file: string): Promise<Array<{ t: number; first: number }>> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'frame=pts_time,nb_samples,sample_rate', '-of', 'compact=p=0', file], {
    maxBuffer: 1 << 28,
  });
  const frames: Array<{ t: number; first: number }> = [];
  let first = 0;
  for (const line of stdout.split('\n')) {
    const f = Object.fromEntries(line.split('|').map((kv) => kv.split('=')));
    const t = Number(f.pts_time);
    if (!Number.isFinite(t)) continue;
    frames.push({ t, first });
    first += (Number(f.nb_samples) * RATE) / Number(f.sample_rate);
  }
  return frames;
}

/** Pairs each flash with the nearest unused beep within `maxPairMs` (default: half the marker period). */
export function pairMarkers(flashes: number[], beeps: number[], maxPairMs?: number): AvSyncResult {
  const limit = (maxPairMs ?? medianInterval(flashes.length >= 2 ? flashes : beeps) * 500) / 1000;
  const used = new Set<number>();
  const pairs: AvSyncPair[] = [];
  for (const t of flashes) {
    let best = -1;
    for (let j = 0; j < beeps.length; j++) {
      if (!used.has(j) && Math.abs(beeps[j] - t) <= limit && (best < 0 || Math.abs(beeps[j] - t) < Math.abs(beeps[best] - t))) best = j;
    }
    if (best < 0) continue;
    used.add(best);
    pairs.push({ t, offsetMs: (beeps[best] - t) * 1000 });
  }
  const offsets = pairs.map((p) => p.offsetMs);
  const first = pairs.length > 0 ? pairs[0].t : 0;
  const last = pairs.length > 0 ? pairs[pairs.length - 1].t : 0;
  return {
    pairs,
    flashes: flashes.length,
    beeps: beeps.length,
    meanMs: mean(offsets),
    minMs: offsets.length > 0 ? Math.min(...offsets) : NaN,
    maxMs: offsets.length > 0 ? Math.max(...offsets) : NaN,
    driftMsPerMin: slope(pairs.map((p) => p.t / 60), offsets),
    firstMinuteMeanMs: mean(pairs.filter((p) => p.t < first + 60).map((p) => p.offsetMs)),
    lastMinuteMeanMs: mean(pairs.filter((p) => p.t > last - 60).map((p) => p.offsetMs)),
    unmatchedFlashes: flashes.length - pairs.length,
    unmatchedBeeps: beeps.length - pairs.length,
  };
}

function energy(samples: Int16Array, from: number): number {
  let sum = 0;
  for (let i = from; i < from + WINDOW && i < samples.length; i++) sum += samples[i] ** 2;
  return sum;
}

function medianInterval(times: number[]): number {
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  return gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)] : 2;
}

const mean = (values: number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN);

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  if (x.length < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den > 0 ? num / den : NaN;
}
