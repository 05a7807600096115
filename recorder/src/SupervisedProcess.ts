import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

/** Why a supervised process ended (RUN-1…RUN-4 in recorder/README.md). */
export type ProcessEndCause =
  /** It exited on its own (`code` 0 or not). */
  | 'exit'
  /** stop() was called (a capture ending with its session, a shutdown). */
  | 'stopped'
  /** RUN-2: no progress reported for `stallMs`. */
  | 'stalled'
  /** RUN-2: still running at its deadline. */
  | 'deadline';

export interface ProcessOutcome {
  cause: ProcessEndCause;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote on stderr (RUN-3), for the log and the recording's error. */
  stderrTail: string[];
  elapsedMs: number;
}

/** It ended on its own with exit code 0: the only outcome that counts as done. */
export function succeeded(outcome: ProcessOutcome): boolean {
  return outcome.cause === 'exit' && outcome.code === 0;
}

export interface SupervisedProcessOptions {
  /** What it is, for logs and errors: `compose`, `capture`, `probe`. */
  label: string;
  command: string;
  args: string[];
  /** RUN-2: killed when still running this long after its start. */
  deadlineMs: number;
  /**
   * RUN-2: killed when `progress()` was not called for this long (measured from the start, then
   * from each call that reported an advance). Undefined: no progress watchdog (a capture of a
   * paused producer legitimately writes nothing for an hour).
   */
  stallMs?: number;
  /** Each line it writes on stdout (ffmpeg's `-progress pipe:1`). */
  onStdoutLine?: (line: string) => void;
  /** Its stdin and stdout as streams (raw media piped between processes) instead of lines. */
  pipes?: boolean;
  /** Lines of stderr kept (RUN-3). */
  stderrLines?: number;
  /** RUN-4: the stop ladder's grace, from the first SIGINT to SIGKILL. */
  graceMs?: number;
  log: Logger;
}

const STDERR_LINE_MAX = 400;

/**
 * One child process with a bound (RUN-1): every ffmpeg and ffprobe the recorder starts runs
 * through this class. It has a deadline and, where it reports progress, a watchdog (RUN-2); it
 * keeps the tail of stderr (RUN-3); it stops through one ladder (RUN-4: SIGINT, a second SIGINT
 * 500 ms later, which also interrupts ffmpeg blocked in a read, SIGKILL after the grace).
 * `done` never rejects: it resolves with why and how the process ended.
 */
export class SupervisedProcess {
  readonly label: string;
  readonly done: Promise<ProcessOutcome>;
  readonly #child: ChildProcess;
  readonly #o: SupervisedProcessOptions;
  readonly #started = Date.now();
  readonly #tail: string[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #stall?: NodeJS.Timeout;
  #cause?: ProcessEndCause;
  #exited = false;

  constructor(options: SupervisedProcessOptions) {
    this.#o = options;
    this.label = options.label;
    this.#child = spawn(options.command, options.args, { stdio: [options.pipes ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.done = new Promise<ProcessOutcome>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exited) return;
        this.#exited = true;
        for (const t of this.#timers) clearTimeout(t);
        clearTimeout(this.#stall);
        resolve({ cause: this.#cause ?? 'exit', code, signal, stderrTail: [...this.#tail], elapsedMs: Date.now() - this.#started });
      };
      this.#child.once('error', (error) => {
        this.#remember(`could not run ${options.command}: ${error.message}`);
        finish(null, null);
      });
      this.#child.once('close', finish);
    });
    if (options.pipes) this.#child.stdin!.on('error', (error) => this.#remember(`stdin: ${error.message}`));
    else this.#lines(this.#child.stdout!, (line) => options.onStdoutLine?.(line));
    this.#lines(this.#child.stderr!, (line) => this.#remember(line));
    this.#timers.push(setTimeout(() => this.#kill('deadline'), options.deadlineMs));
    this.#armStall();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** With `pipes`: what it reads. */
  get stdin(): NodeJS.WritableStream {
    return this.#child.stdin!;
  }

  /** With `pipes`: what it writes. */
  get stdout(): NodeJS.ReadableStream {
    return this.#child.stdout!;
  }

  get running(): boolean {
    return !this.#exited;
  }

  /** The process showed progress (ffmpeg's `out_time` advanced): the watchdog starts again. */
  progress(): void {
    this.#armStall();
  }

  /** RUN-4: asks it to finish cleanly (ffmpeg writes its trailer), then forces it. Resolves once it exited. */
  stop(graceMs = this.#o.graceMs ?? 5000): Promise<ProcessOutcome> {
    if (!this.#exited && !this.#cause) {
      this.#cause = 'stopped';
      this.#ladder(graceMs);
    }
    return this.done;
  }

  #kill(cause: 'stalled' | 'deadline'): void {
    if (this.#exited || this.#cause) return;
    this.#cause = cause;
    const seconds = Math.round((cause === 'stalled' ? this.#o.stallMs! : this.#o.deadlineMs) / 1000);
    this.#o.log.warn(
      { process: this.label, pid: this.pid, cause, seconds, stderr: this.#tail.slice(-5) },
      cause === 'stalled' ? 'a process made no progress: killing it' : 'a process ran past its deadline: killing it',
    );
    // It is stuck: a short ladder, SIGKILL after 2 s.
    this.#ladder(2000);
  }

  #ladder(graceMs: number): void {
    this.#signal('SIGINT');
    this.#timers.push(setTimeout(() => this.#signal('SIGINT'), Math.min(500, graceMs / 2)));
    this.#timers.push(setTimeout(() => this.#signal('SIGKILL'), graceMs));
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  #armStall(): void {
    if (this.#o.stallMs === undefined || this.#exited || this.#cause) return;
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => this.#kill('stalled'), this.#o.stallMs);
  }

  #remember(line: string): void {
    if (!line.trim()) return;
    this.#tail.push(line.length > STDERR_LINE_MAX ? `${line.slice(0, STDERR_LINE_MAX)}…` : line);
    if (this.#tail.length > (this.#o.stderrLines ?? 20)) this.#tail.shift();
  }

  /** Splits a stream into lines; a line longer than 64 KiB is cut (bounded memory). */
  #lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split(/\r?\n|\r/);
      buffer = lines.pop() ?? '';
      if (buffer.length > 65536) buffer = buffer.slice(-65536);
      for (const line of lines) onLine(line);
    });
    stream.on('end', () => buffer && onLine(buffer));
  }
}
