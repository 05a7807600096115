import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

const freeTcpPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * A redis-server of our own (Debian's /usr/bin/redis-server) on a free loopback port, for the
 * recording queue when REDIS_URL is not set. With `persist`, the queue is kept in `dir`
 * (append-only file), so that jobs survive a restart. close() stops it.
 */
export class LocalRedis {
  readonly url: string;
  readonly #child: ChildProcess;
  #closing?: Promise<void>;

  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.#child = child;
  }

  static async start(options: { dir: string; persist?: boolean; bin?: string }): Promise<LocalRedis> {
    fs.mkdirSync(options.dir, { recursive: true });
    const port = await freeTcpPort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'];
    args.push('--appendonly', options.persist ? 'yes' : 'no');
    const child = spawn(options.bin ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output = (output + String(d)).slice(-2000)));
    child.stderr?.on('data', (d) => (output = (output + String(d)).slice(-2000)));
    const redis = new LocalRedis(`redis://127.0.0.1:${port}`, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode) throw new Error(`redis-server exited: ${output.trim().split('\n').pop() ?? ''}`);
      if (await ping(port)) return redis;
      if (Date.now() > deadline) {
        await redis.close();
        throw new Error('redis-server did not start within 10 s');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Stops redis-server (SIGTERM, SIGKILL after 5 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode) return resolve();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#child.kill('SIGTERM');
    });
    return this.#closing;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
