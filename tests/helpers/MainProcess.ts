import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from './waitFor.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'server/src/main.ts');
/** The entry from the sources (through tsx), as `npm run start:dev`. */
const FROM_SOURCES = ['--import', 'tsx', MAIN];
/** Variables of the product a test run may have in its own environment: never passed on by accident. */
const PRODUCT_VARS = ['PORT', 'HOST', 'PUBLIC_URL', 'DATA_DIR', 'ADMIN_KEY', 'TOKEN_SECRET', 'GUEST_ACCESS', 'REDIS_URL', 'RECORDER', 'RECORDER_KEY', 'RECORDINGS_DIR', 'RECORDING_CONTROL_URL', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'TLDRAW_LICENSE_KEY', 'DATABASE_URL', 'NODE_URL', 'NODE_ID'];

/** A free TCP port on loopback (closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` as a child process (`node --import tsx server/src/main.ts`, what `tsx` runs), in its
 * own process group: the real entry point, with its own redis-server and recorder. `start` waits
 * for the line that says where it runs and for /healthz; `stop` sends SIGTERM and answers the exit
 * code; `kill` ends the whole group (cleanup after a failed test).
 */
export class MainProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    env: Record<string, string>,
    args: string[],
  ) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !PRODUCT_VARS.includes(k)));
    this.#child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...base, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, MEDIA_WORKERS: '1', RTC_PORT: '0', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#child.stdout!.on('data', (d) => (this.output += String(d)));
    this.#child.stderr!.on('data', (d) => (this.output += String(d)));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The address it listens on (not PUBLIC_URL). */
  get listenUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** `args`: node's arguments, the sources through tsx by default (the build: ['dist/server/src/main.js']); `port`: a given one (a node started again). */
  static async start(dataDir: string, env: Record<string, string> = {}, args: string[] = FROM_SOURCES, port?: number): Promise<MainProcess> {
    const main = new MainProcess(port ?? (await freePort()), dataDir, env, args);
    let gone = false;
    void main.exited.then(() => (gone = true));
    try {
      await waitFor('npm start to print where it runs', () => {
        if (gone) throw new Error(`npm start exited:\n${main.output}`);
        return /nomades-visio is running at \S+/.test(main.output);
      }, 60_000);
      await waitFor('/healthz ok', async () => (await fetch(`${main.listenUrl}/healthz`)).status === 200, 30_000);
    } catch (error) {
      main.kill();
      throw new Error(`${(error as Error).message}\n--- output ---\n${main.output}`);
    }
    return main;
  }

  /** The URL in the "running at" line. */
  get printedUrl(): string {
    return /nomades-visio is running at (\S+)/.exec(this.output)?.[1] ?? '';
  }

  /** SIGTERM, then the exit (code, signal). */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.#child.kill('SIGTERM');
    return this.exited;
  }

  /** SIGKILL to the whole process group (idempotent). */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Processes (other than this one) whose command line or environment mentions `needle`. */
export function processesMentioning(needle: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(needle) || environ.includes(needle)) found.push({ pid, cmdline });
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}
