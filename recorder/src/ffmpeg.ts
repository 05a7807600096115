/**
 * Every call to ffmpeg and ffprobe lives in this module. fluent-ffmpeg is archived and deprecated
 * (docs STACK.md): only `startRtpCapture` and `composeFile` use it, through `run()`, which is
 * the only function to rewrite to swap it for `spawn('ffmpeg', args)`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpeg from 'fluent-ffmpeg';

const execFileAsync = promisify(execFile);

export interface FfmpegRun {
  readonly pid: number | undefined;
  /** Resolves when ffmpeg exits (an exit after `stop()` counts as success). */
  readonly done: Promise<void>;
  /**
   * Asks ffmpeg to finish and write the container's trailer: SIGINT, a second SIGINT 500 ms later
   * (one signal only ends ffmpeg at its next input packet; two also interrupt a blocked read, e.g.
   * an RTP input with no more packets), SIGKILL after `graceMs`.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Runs ffmpeg with these input and output arguments; `onTime` receives the output time in seconds. */
function run(inputs: Array<{ path: string; options: string[] }>, outputArgs: string[], output: string, onTime?: (seconds: number) => void): FfmpegRun {
  const command = ffmpeg();
  for (const input of inputs) command.input(input.path).inputOptions(input.options);
  command.outputOptions(outputArgs).output(output);
  let stopping = false;
  let pid: number | undefined;
  const done = new Promise<void>((resolve, reject) => {
    command.on('start', () => {
      pid = (command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
    });
    command.on('progress', (p: { timemark?: string }) => {
      const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(p.timemark ?? '');
      if (m && onTime) onTime(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
    });
    command.on('end', () => resolve());
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (stopping) return resolve();
      const tail = String(stderr ?? '').trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`ffmpeg failed: ${error.message}${tail ? ` (${tail})` : ''}`));
    });
  });
  done.catch(() => undefined);
  command.run();
  return {
    get pid() {
      return pid;
    },
    done,
    async stop(graceMs = 5000) {
      if (stopping) return done.catch(() => undefined);
      stopping = true;
      command.kill('SIGINT');
      const again = setTimeout(() => command.kill('SIGINT'), 500);
      const timer = setTimeout(() => command.kill('SIGKILL'), graceMs);
      await done.catch(() => undefined);
      clearTimeout(again);
      clearTimeout(timer);
    },
  };
}

/**
 * Receives one RTP stream described by an SDP file and writes it as is (no re-encoding) into a
 * Matroska file that stays readable if the process dies (clusters of 100 ms written at once).
 * Timestamps are the packets' arrival times on the wall clock (`-use_wallclock_as_timestamps`)
 * kept absolute (`-copyts`): tracks written by different ffmpeg processes line up by their
 * first timestamp, and composition aligns them without guessing.
 */
export function startRtpCapture(sdpPath: string, output: string): FfmpegRun {
  return run(
    [
      {
        path: sdpPath,
        options: [
          '-protocol_whitelist', 'file,udp,rtp',
          '-use_wallclock_as_timestamps', '1',
          '-analyzeduration', '3000000',
          // Loopback or LAN: no reordering queue, so that timestamps are arrival times.
          '-reorder_queue_size', '0',
          // A paused producer sends nothing for a long time: never give up waiting.
          '-listen_timeout', '-1',
        ],
      },
    ],
    // Small clusters written at once: a killed ffmpeg loses at most the last 100 ms.
    ['-map', '0', '-c', 'copy', '-copyts', '-f', 'matroska', '-flush_packets', '1', '-cluster_time_limit', '100'],
    output,
  );
}

/** Composes the final file: `filter` is a complete filter graph ending in [vout] and [aout]. */
export function composeFile(options: {
  inputs: string[];
  filter: string;
  durationSec: number;
  output: string;
  threads?: number;
  onProgress?: (percent: number) => void;
}): FfmpegRun {
  const { durationSec } = options;
  return run(
    options.inputs.map((path) => ({ path, options: [] })),
    [
      '-filter_complex', options.filter,
      '-map', '[vout]', '-map', '[aout]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p', '-r', '25', '-g', '50',
      '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
      '-t', durationSec.toFixed(3),
      '-threads', String(options.threads ?? 0),
      '-movflags', '+faststart',
      '-y',
    ],
    options.output,
    (seconds) => options.onProgress?.(Math.min(99, Math.floor((seconds / Math.max(durationSec, 0.001)) * 100))),
  );
}

export interface TrackProbe {
  /** First and last packet timestamps, seconds (absolute wall clock for captured tracks). */
  start: number;
  end: number;
  packets: number;
  codec: string;
}

/** Reads a track's packet timestamps (no decoding); undefined when it holds no packet. */
export async function probeTrack(file: string): Promise<TrackProbe | undefined> {
  const { stdout } = await execFileAsync(
    'ffprobe',
    ['-v', 'error', '-select_streams', '0', '-show_entries', 'stream=codec_name:packet=pts_time,duration_time', '-of', 'compact=p=0:nk=1', file],
    { maxBuffer: 64 * 1024 * 1024 },
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

/** ffprobe's view of a file: format and streams (used by tests and the benchmark too). */
export async function probeFile(file: string): Promise<{ durationSec: number; streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }> }> {
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { format?: { duration?: string }; streams?: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }> };
  return { durationSec: Number(parsed.format?.duration ?? 0), streams: parsed.streams ?? [] };
}

/**
 * Runs a trivial ffmpeg once, so that fluent-ffmpeg's one-time checks (binary path, formats,
 * encoders) are done before the first capture, whose start they would otherwise delay.
 */
export async function warmUp(): Promise<void> {
  await run([{ path: 'anullsrc=r=48000:cl=mono', options: ['-f', 'lavfi'] }], ['-t', '0.02', '-c:a', 'aac', '-f', 'null'], '-').done;
}
