import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../config/privateDir.js';
import { freeTcpPort, stopChild, tailOutput, waitUntilReady } from '../process/childProcesses.js';

/** The password of the embedded redis-server: generated once, kept in `dir/password` (0600). */
function redisPassword(dir: string): string {
  const file = path.join(dir, 'password');
  if (fs.existsSync(file)) {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(stored)) return stored;
  }
  const password = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: PRIVATE_FILE_MODE });
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  return password;
}

/**
 * A redis-server of our own (Debian's /usr/bin/redis-server) on a free loopback port, for the
 * recording queue when REDIS_URL is not set. With `persist`, the queue is kept in `dir`
 * (append-only file), so that jobs survive a restart. close() stops it.
 *
 * REC-8: it requires a password (`requirepass`, generated once and kept in `dir/password`,
 * mode 0600); the password travels in a config file of mode 0600, not on the command line
 * (which every local user can read), and `url` carries it. redis-server runs with umask 077,
 * so that its files are private too (FILE-1).
 */
export class LocalRedis {
  /** `redis://:<password>@127.0.0.1:<port>`: a secret, do not log it (`address` is for logs). */
  readonly url: string;
  /** `redis://127.0.0.1:<port>`, without the password. */
  readonly address: string;
  readonly port: number;
  readonly #child: ChildProcess;
  #closing?: Promise<void>;

  private constructor(port: number, password: string, child: ChildProcess) {
    this.port = port;
    this.address = `redis://127.0.0.1:${port}`;
    this.url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    this.#child = child;
  }

  /** `port`: a given one (to start it again where its clients reconnect), else a free one. */
  static async start(options: { dir: string; persist?: boolean; bin?: string; port?: number }): Promise<LocalRedis> {
    privateDir(options.dir);
    const password = redisPassword(options.dir);
    const conf = path.join(options.dir, 'redis.conf');
    fs.writeFileSync(conf, `requirepass ${password}\n`, { mode: PRIVATE_FILE_MODE });
    fs.chmodSync(conf, PRIVATE_FILE_MODE);
    const port = options.port ?? (await freeTcpPort());
    const args = [conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'];
    args.push('--appendonly', options.persist ? 'yes' : 'no');
    // `sh -c 'umask 077; exec redis-server …'`: the child's own umask, whatever the parent's.
    const child = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', options.bin ?? 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = tailOutput(child, 2000);
    const redis = new LocalRedis(port, password, child);
    await waitUntilReady('redis-server', child, () => ping(port, password), output, () => redis.close());
    return redis;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Stops redis-server (SIGTERM, SIGKILL after 5 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= stopChild(this.#child);
    return this.#closing;
  }
}

/** AUTH then PING: true once redis-server answers +PONG. */
function ping(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500);
    socket.once('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (d) => {
      answer += String(d);
      if (answer.includes('+PONG')) done(true);
      else if (answer.startsWith('-') || answer.includes('\r\n-')) done(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => done(false));
  });
}
