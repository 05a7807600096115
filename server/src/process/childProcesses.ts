import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A free TCP port of `host` (bound then released: another process could take it in between). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when `host:port` accepts a TCP connection within 500 ms. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** The last `max` characters `child` wrote on stdout and stderr (for the error of a failed start). */
export function tailOutput(child: ChildProcess, max = 4000): () => string {
  let output = '';
  const keep = (d: unknown) => (output = (output + String(d)).slice(-max));
  child.on('error', (error) => keep(`\n${error.message}`));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

/**
 * Polls `ready` every 50 ms until it is true; throws if `child` exits first (with the last lines
 * of its output) or after `timeoutMs`, in which case `stop` is awaited first.
 */
export async function waitUntilReady(
  what: string,
  child: ChildProcess,
  ready: () => Promise<boolean>,
  output: () => string,
  stop: () => Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`${what} exited: ${output().trim().split('\n').slice(-3).join(' | ')}`);
    if (await ready()) return;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops `child`: SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
