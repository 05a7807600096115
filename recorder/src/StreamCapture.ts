import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RecordingStream } from '@nomades/shared';
import type { ControlClient } from './ControlClient.js';
import { startRtpCapture } from './ffmpeg.js';
import { describeOutcome } from './ProcessError.js';
import { succeeded, type SupervisedProcess } from './SupervisedProcess.js';
import { freeRtpPorts } from './freeRtpPorts.js';
import type { Manifest, TrackEntry } from './Manifest.js';
import { tapSdp } from './sdp.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True once something (ffmpeg) holds this UDP port. */
const portTaken = (port: number, address: string) =>
  new Promise<boolean>((resolve) => {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(true);
    });
    socket.bind(port, address, () => {
      socket.close();
      resolve(false);
    });
  });

export interface CaptureOptions {
  control: ControlClient;
  manifest: Manifest;
  stream: RecordingStream;
  /** Address the SFU sends RTP to (this machine, as the SFU reaches it). */
  rtpIp: string;
  portRange: [number, number];
  /** RUN-2: the longest a capture may run. */
  deadlineMs: number;
  log: Logger;
}

/**
 * One producer written to one track: free ports, an SDP, ffmpeg listening, then the SFU's tap
 * resumed (which requests a key frame) so that the file starts with a decodable picture.
 */
export class StreamCapture {
  readonly stream: RecordingStream;
  readonly entry: TrackEntry;
  readonly #run: SupervisedProcess;
  readonly #control: ControlClient;
  readonly #manifest: Manifest;
  readonly #log: Logger;
  #ended = false;
  #stopping?: Promise<void>;

  private constructor(options: CaptureOptions, entry: TrackEntry, run: SupervisedProcess) {
    this.stream = options.stream;
    this.entry = entry;
    this.#run = run;
    this.#control = options.control;
    this.#manifest = options.manifest;
    this.#log = options.log;
    void run.done.then((outcome) => {
      const failed = outcome.cause !== 'stopped' && !succeeded(outcome);
      this.#onExit(failed ? `ffmpeg ${describeOutcome(outcome)}` : undefined);
    });
  }

  static async start(options: CaptureOptions): Promise<StreamCapture> {
    const { stream, manifest, control, rtpIp } = options;
    const port = await freeRtpPorts(rtpIp, options.portRange[0], options.portRange[1]);
    const tap = await control.openTap({ producerId: stream.producerId, ip: rtpIp, rtpPort: port, rtcpPort: port + 1 });
    const base = `${stream.peerId}-${stream.source}-${Date.now()}`;
    const sdpPath = path.join(manifest.dir, `${base}.sdp`);
    fs.writeFileSync(sdpPath, tapSdp(tap, rtpIp, port), { mode: 0o600 });
    const entry: TrackEntry = { ...stream, file: `${base}.mkv`, openedAt: new Date().toISOString(), host: os.hostname() };
    const run = startRtpCapture(sdpPath, manifest.trackPath(entry), { deadlineMs: options.deadlineMs, log: options.log });
    const capture = new StreamCapture(options, entry, run);
    manifest.addTrack(entry);
    try {
      // Resume the tap only once ffmpeg listens: the first key frame must not be lost.
      for (let i = 0; i < 50 && !capture.#ended && !(await portTaken(port, rtpIp)); i++) await sleep(100);
      entry.pid = run.pid;
      manifest.save();
      await control.resumeTap(stream.producerId);
      // A second key frame request covers a first one lost while ffmpeg was still probing.
      setTimeout(() => void (capture.#ended ? undefined : control.resumeTap(stream.producerId).catch(() => undefined)), 1500).unref();
    } catch (error) {
      await capture.stop();
      throw error;
    }
    options.log.debug({ producer: stream.producerId, file: entry.file, port }, 'capturing stream');
    return capture;
  }

  /** ffmpeg exited (stopped, or failed on its own). */
  get ended(): boolean {
    return this.#ended;
  }

  #onExit(failure?: string): void {
    this.#ended = true;
    this.entry.closedAt ??= new Date().toISOString();
    delete this.entry.pid;
    this.#manifest.save();
    if (failure && !this.#stopping) this.#log.warn({ producer: this.stream.producerId, failure }, 'stream capture ended');
  }

  /** Stops ffmpeg (it finalizes the file) and closes the SFU's tap. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      // ffmpeg first, while packets still flow (it ends at the next one), then the SFU's tap.
      await this.#run.stop();
      await this.#control.closeTap(this.stream.producerId).catch(() => undefined);
      this.#onExit();
    })();
    return this.#stopping;
  }
}
