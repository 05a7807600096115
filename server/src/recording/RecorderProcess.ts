import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../logging/logger.js';
import { recorderEnv } from './recorderEnv.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
/**
 * The recorder's entry: from the build (`npm run build`, dist/server/src/main.js), the built recorder,
 * run by node alone; from the sources, recorder/src/main.ts through tsx.
 */
const RECORDER = import.meta.filename.endsWith('.js')
  ? { args: [path.join(ROOT, 'dist/recorder/src/main.js')] }
  : { args: ['--import', 'tsx', path.join(ROOT, 'recorder/src/main.ts')] };

/**
 * Runs the recorder (recorder/src/main.ts) as a child process and restarts it when it dies
 * (1 s, then up to 30 s between restarts if it keeps dying). Its jobs are then taken over by
 * the new process through BullMQ's stalled-job detection. close() stops it with SIGTERM.
 * Its environment is `env` and an allow-list of the server's (recorderEnv, REC-8), no secret
 * of the server's but the recorder key.
 */
export class RecorderProcess {
  readonly #env: Record<string, string>;
  readonly #log: Logger;
  #child?: ChildProcess;
  #restarts = 0;
  #timer?: NodeJS.Timeout;
  #closing?: Promise<void>;

  constructor(env: Record<string, string>, log: Logger) {
    this.#env = env;
    this.#log = log;
    this.#spawn();
  }

  /** The current recorder process id (tests kill it to prove jobs survive). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #spawn(): void {
    const child = spawn(process.execPath, RECORDER.args, {
      cwd: ROOT,
      env: recorderEnv(process.env, this.#env),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.#child = child;
    child.on('error', (error) => this.#log.error({ err: error }, 'could not run the recorder process'));
    const started = Date.now();
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#closing) return;
      if (Date.now() - started > 60_000) this.#restarts = 0;
      const delay = Math.min(30_000, 1000 * 2 ** this.#restarts++);
      this.#log.error({ code, signal, restartInMs: delay }, 'recorder process exited; restarting it');
      this.#timer = setTimeout(() => this.#spawn(), delay);
    });
    this.#log.info({ pid: child.pid }, 'recorder process started');
  }

  /** Stops the recorder (SIGTERM: it ends its ffmpeg processes cleanly; SIGKILL after 15 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      clearTimeout(this.#timer);
      const child = this.#child;
      if (!child || child.exitCode !== null || child.signalCode) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
    return this.#closing;
  }
}
