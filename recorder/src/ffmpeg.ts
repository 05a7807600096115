/**
 * Every ffmpeg and ffprobe the recorder runs is started here, each as a SupervisedProcess (RUN-1:
 * a deadline, a progress watchdog where progress is reported, the stderr tail, one stop ladder).
 * ffmpeg is spawned directly (fluent-ffmpeg, archived and deprecated, is no longer used).
 */
import { pino, type Logger } from 'pino';
import type { PlanInput } from './composePlan.js';
import { ProcessError } from './ProcessError.js';
import { succeeded, SupervisedProcess } from './SupervisedProcess.js';

const silentLog = pino({ level: 'silent' });
const FFMPEG = () => process.env.FFMPEG_PATH || 'ffmpeg';
const FFPROBE = () => process.env.FFPROBE_PATH || 'ffprobe';

/** No output on the terminal but warnings and errors (kept as the stderr tail), no keyboard. */
const QUIET = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];

/** RUN-2: an ffprobe (reading packet timestamps of a track, no decoding) gets this long. */
export const PROBE_DEADLINE_MS = 60_000;

/**
 * Receives one RTP stream described by an SDP file and writes it as is (no re-encoding) into a
 * Matroska file that stays readable if the process dies (clusters of 100 ms written at once).
 * Timestamps are the packets' arrival times on the wall clock (`-use_wallclock_as_timestamps`)
 * kept absolute (`-copyts`): tracks written by different ffmpeg processes line up by their
 * first timestamp, and composition aligns them without guessing. No progress watchdog (a paused
 * producer sends nothing for as long as it likes); the deadline is the longest session.
 */
export function startRtpCapture(sdpPath: string, output: string, options: { deadlineMs: number; log: Logger }): SupervisedProcess {
  return new SupervisedProcess({
    label: 'capture',
    command: FFMPEG(),
    args: [
      ...QUIET,
      '-protocol_whitelist', 'file,udp,rtp',
      '-use_wallclock_as_timestamps', '1',
      '-analyzeduration', '3000000',
      // Loopback or LAN: no reordering queue, so that timestamps are arrival times.
      '-reorder_queue_size', '0',
      // A paused producer sends nothing for a long time: never give up waiting.
      '-listen_timeout', '-1',
      '-i', sdpPath,
      // Small clusters written at once: a killed ffmpeg loses at most the last 100 ms.
      '-map', '0', '-c', 'copy', '-copyts', '-f', 'matroska', '-flush_packets', '1', '-cluster_time_limit', '100',
      '-y', output,
    ],
    deadlineMs: options.deadlineMs,
    log: options.log,
  });
}

/** How the composed picture is encoded (COMP-4 in recorder/README.md). */
export interface EncoderSettings {
  preset: string;
  crf: number;
  fps: number;
}

/** COMP-4: 720p, 15 fps, x264 ultrafast CRF 28: ≥ 5× real time for 4 cameras on 2 cores (docs/benchmarks.md). */
export const DEFAULT_ENCODER: EncoderSettings = { preset: 'ultrafast', crf: 28, fps: 15 };

export interface ComposeOptions {
  inputs: PlanInput[];
  /** A complete filter graph ending in [vout] and [aout], every branch of it bounded (COMP-1). */
  filter: string;
  durationSec: number;
  output: string;
  /**
   * `mp4`: a finished file (AAC, `+faststart`); `segment`: one segment of a meeting composed while
   * it runs (Matroska, the voices in FLAC, to be joined and encoded once: COMP-6).
   */
  format?: 'mp4' | 'segment';
  encoder?: EncoderSettings;
  /** Encoder and filter threads (0: ffmpeg decides). */
  threads?: number;
  /** RUN-2: killed when its output time does not advance for this long. */
  stallMs: number;
  /** RUN-2: killed when still running this long after its start. */
  deadlineMs: number;
  /** 0…99 while it runs. */
  onProgress?: (percent: number) => void;
  log: Logger;
}

/** ffmpeg's `-progress pipe:1` lines: each advance of `out_time` feeds the watchdog of `run()` and `onSeconds`. */
function progressLines(run: () => SupervisedProcess, onSeconds?: (seconds: number) => void): (line: string) => void {
  let last = -1;
  return (line) => {
    const m = /^out_time_us=(\d+)$/.exec(line.trim());
    if (!m || Number(m[1]) <= last) return;
    last = Number(m[1]);
    run().progress();
    onSeconds?.(last / 1e6);
  };
}

/**
 * Composes one file: H.264 and the voices, the filter graph's [vout] and [aout]; `-copyts` keeps
 * the tracks' wall-clock timestamps, on which the graph places them. Progress comes from
 * `-progress pipe:1`: each advance of `out_time` feeds the watchdog, so an ffmpeg that spins
 * without writing (the compose hang of ffmpeg 5.1 with an unbounded branch, COMP-1) is killed.
 */
export function composeFile(options: ComposeOptions): SupervisedProcess {
  const { durationSec } = options;
  const enc = options.encoder ?? DEFAULT_ENCODER;
  const run: SupervisedProcess = new SupervisedProcess({
    label: 'compose',
    command: FFMPEG(),
    args: [
      ...QUIET,
      '-progress', 'pipe:1',
      '-copyts',
      ...options.inputs.flatMap((input) => [...input.options, '-i', input.file]),
      '-filter_complex', options.filter,
      '-filter_complex_threads', String(options.threads ?? 0),
      '-map', '[vout]', '-map', '[aout]',
      '-c:v', 'libx264', '-preset', enc.preset, '-crf', String(enc.crf), '-pix_fmt', 'yuv420p', '-r', String(enc.fps), '-g', String(enc.fps * 2),
      ...(options.format === 'segment' ? ['-c:a', 'flac'] : ['-c:a', 'aac', '-b:a', '128k']),
      '-ar', '48000', '-ac', '2',
      // A cap besides the bounded graph: never longer than the meeting.
      '-t', durationSec.toFixed(3),
      '-threads', String(options.threads ?? 0),
      ...(options.format === 'segment' ? ['-f', 'matroska'] : ['-movflags', '+faststart', '-f', 'mp4']),
      '-y', options.output,
    ],
    deadlineMs: options.deadlineMs,
    stallMs: options.stallMs,
    onStdoutLine: progressLines(
      () => run,
      (seconds) => options.onProgress?.(Math.min(99, Math.floor((seconds / Math.max(durationSec, 0.001)) * 100))),
    ),
    log: options.log,
  });
  return run;
}

/** Raw audio between processes: what a segment's voices are decoded to and the encoder reads (COMP-6). */
const PCM = ['-f', 's16le', '-ar', '48000', '-ac', '2'];

/**
 * COMP-6: the meeting's one AAC encoder, which lives as long as the session: it reads raw audio on
 * stdin (each segment's voices, appended in order) and writes ADTS, so that the voices of all the
 * segments are one continuous encoding (no encoder delay at each join). No progress watchdog
 * (it waits for the next segment); the deadline is the session's.
 */
export function startAudioEncoder(output: string, options: { deadlineMs: number; log: Logger }): SupervisedProcess {
  return new SupervisedProcess({
    label: 'audio encoder',
    command: FFMPEG(),
    args: [...QUIET, ...PCM, '-i', 'pipe:0', '-c:a', 'aac', '-b:a', '128k', '-f', 'adts', '-y', output],
    pipes: true,
    deadlineMs: options.deadlineMs,
    log: options.log,
  });
}

/** A segment's voices as raw audio on stdout (piped into the audio encoder). */
export function decodeSegmentAudio(segment: string, options: { deadlineMs: number; log: Logger }): SupervisedProcess {
  return new SupervisedProcess({
    label: 'segment audio',
    command: FFMPEG(),
    args: [...QUIET, '-i', segment, '-map', '0:a', ...PCM, 'pipe:1'],
    pipes: true,
    deadlineMs: options.deadlineMs,
    log: options.log,
  });
}

/** AAC's encoder delay: the first 1024 samples of the ADTS stream are not the meeting's. */
const AAC_PRIMING_SEC = 1024 / 48000;

/**
 * COMP-6: the finished file from the composed segments (pictures joined without re-encoding,
 * concat demuxer) and the meeting's one audio encoding, shifted back by the encoder's delay
 * (the MP4 says to skip it); `+faststart`. Watched like a composition.
 */
export function joinSegments(options: { list: string; audio: string; output: string; durationSec: number; stallMs: number; deadlineMs: number; log: Logger }): SupervisedProcess {
  const run: SupervisedProcess = new SupervisedProcess({
    label: 'join',
    command: FFMPEG(),
    args: [
      ...QUIET, '-progress', 'pipe:1',
      '-f', 'concat', '-safe', '0', '-i', options.list,
      '-itsoffset', (-AAC_PRIMING_SEC).toFixed(6), '-i', options.audio,
      '-map', '0:v', '-map', '1:a', '-c', 'copy',
      '-t', options.durationSec.toFixed(3),
      '-movflags', '+faststart', '-f', 'mp4', '-y', options.output,
    ],
    deadlineMs: options.deadlineMs,
    stallMs: options.stallMs,
    onStdoutLine: progressLines(() => run),
    log: options.log,
  });
  return run;
}

/** Runs a process to its end and returns its stdout; rejects with a ProcessError otherwise. */
async function output(label: string, command: string, args: string[], log: Logger, deadlineMs = PROBE_DEADLINE_MS): Promise<string> {
  const lines: string[] = [];
  let bytes = 0;
  const run = new SupervisedProcess({
    label,
    command,
    args,
    deadlineMs,
    onStdoutLine: (line) => {
      // Bounded: 64 MiB of packet lines is several hours of a track.
      bytes += line.length + 1;
      if (bytes < 64 * 1024 * 1024) lines.push(line);
    },
    log,
  });
  const outcome = await run.done;
  if (!succeeded(outcome)) throw new ProcessError(label, outcome);
  return lines.join('\n');
}

export interface TrackProbe {
  /** First and last packet timestamps, seconds (absolute wall clock for captured tracks). */
  start: number;
  end: number;
  packets: number;
  codec: string;
}

/**
 * Reads a track's packet timestamps (no decoding); undefined when it holds no packet. `interval`
 * reads a part only (ffprobe's `-read_intervals`, absolute times): `%+#1` the first packet,
 * `T%` from T to the end.
 */
export async function probeTrack(file: string, log: Logger = silentLog, interval?: string): Promise<TrackProbe | undefined> {
  const stdout = await output(
    'probe',
    FFPROBE(),
    [
      '-v', 'error', '-select_streams', '0',
      ...(interval ? ['-read_intervals', interval] : []),
      '-show_entries', 'stream=codec_name:packet=pts_time,duration_time', '-of', 'compact=p=0:nk=1', file,
    ],
    log,
  );
  let start = Infinity;
  let end = -Infinity;
  let packets = 0;
  let codec = '';
  for (const line of stdout.split('\n')) {
    const parts = line.trim().split('|');
    if (parts.length === 1 && parts[0]) codec = parts[0];
    if (parts.length !== 2) continue;
    const pts = Number(parts[0]);
    if (!Number.isFinite(pts)) continue;
    const duration = Number(parts[1]);
    packets++;
    start = Math.min(start, pts);
    end = Math.max(end, pts + (Number.isFinite(duration) ? duration : 0));
  }
  return packets > 0 ? { start, end, packets, codec } : undefined;
}

export interface FileProbe {
  durationSec: number;
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; duration?: string }>;
}

/** ffprobe's view of a file: format and streams (used by tests and the benchmark too). */
export async function probeFile(file: string, log: Logger = silentLog): Promise<FileProbe> {
  const stdout = await output(
    'probe',
    FFPROBE(),
    ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,duration', '-of', 'json', file],
    log,
  );
  const parsed = JSON.parse(stdout) as { format?: { duration?: string }; streams?: FileProbe['streams'] };
  return { durationSec: Number(parsed.format?.duration ?? 0), streams: parsed.streams ?? [] };
}

/** Checks once that ffmpeg runs (its absence is logged at start, not found at the first recording). */
export async function checkFfmpeg(log: Logger): Promise<void> {
  await output('ffmpeg -version', FFMPEG(), ['-hide_banner', '-version'], log, 10_000);
}

