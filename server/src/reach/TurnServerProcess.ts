import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../config/privateDir.js';
import { canConnect, freeTcpPort, stopChild, tailOutput, waitUntilReady } from '../process/childProcesses.js';

export interface TurnServerProcessOptions {
  /** Where its config file (with the secret, mode 0600) lives. */
  dir: string;
  /** The address TURN relays from; it must reach the workers' UDP ports. */
  relayIp: string;
  /** The only peers it may relay to (REACH-5): the workers' announced addresses. */
  allowedPeers: string[];
  /** Path of turnserver (Debian's coturn), default from PATH. */
  bin?: string;
}

/**
 * REACH-5: a coturn of our own (Debian's /usr/bin/turnserver) on a free loopback TCP port, for
 * networks that let out only TCP 443: the shared HTTP port hands it the connections that start
 * with a raw STUN (TURN) message, and it relays to the workers' UDP ports, and to nothing else
 * (every peer address denied but the workers'). Credentials: `use-auth-secret` with a secret
 * generated at each start (TurnCredentials). No TLS, no UDP listener, no CLI. close() stops it.
 */
export class TurnServerProcess {
  readonly port: number;
  readonly secret: string;
  readonly #child: ChildProcess;
  #closing?: Promise<void>;

  private constructor(port: number, secret: string, child: ChildProcess) {
    this.port = port;
    this.secret = secret;
    this.#child = child;
  }

  /** True when a turnserver binary can be run. */
  static available(bin = 'turnserver'): boolean {
    if (bin.includes('/')) return fs.existsSync(bin);
    return (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, bin)));
  }

  static async start(options: TurnServerProcessOptions): Promise<TurnServerProcess> {
    privateDir(options.dir);
    const secret = crypto.randomBytes(32).toString('base64url');
    const listenIp = '127.0.0.1'; // only the shared HTTP port reaches it
    const port = await freeTcpPort();
    const conf = path.join(options.dir, 'turnserver.conf');
    const lines = [
      `listening-ip=${listenIp}`,
      `listening-port=${port}`,
      `relay-ip=${options.relayIp}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=nomades-visio',
      'fingerprint',
      'no-udp', // TCP only: the shared HTTP port hands it its connections
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      'no-tcp-relay',
      // Relay only to our media workers: an open relay would reach the whole intranet.
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ...options.allowedPeers.map((ip) => `allowed-peer-ip=${ip}`),
      ...(options.allowedPeers.some((ip) => ip.startsWith('127.')) ? ['allow-loopback-peers'] : []),
      'user-quota=12',
      'total-quota=4000',
      'stale-nonce=600',
      'log-file=stdout',
      'simple-log',
      `pidfile=${path.join(options.dir, 'turnserver.pid')}`,
    ];
    fs.writeFileSync(conf, lines.join('\n') + '\n', { mode: PRIVATE_FILE_MODE });
    fs.chmodSync(conf, PRIVATE_FILE_MODE);
    const child = spawn(options.bin ?? 'turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = tailOutput(child);
    const turn = new TurnServerProcess(port, secret, child);
    await waitUntilReady('turnserver', child, () => canConnect(listenIp, port), output, () => turn.close());
    return turn;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Stops turnserver (SIGTERM, SIGKILL after 5 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= stopChild(this.#child);
    return this.#closing;
  }
}
