import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './MainProcess.js';

const BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((d) => fs.existsSync(path.join(d, 'initdb')));

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
function run(tool: string, args: string[]): void {
  const bin = BIN ? path.join(BIN, tool) : tool;
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
}


/**
 * A throw-away PostgreSQL cluster for a test file (Debian's postgresql binaries): initdb in a
 * temporary folder, trust authentication, fsync off, a random port on 127.0.0.1. `database()`
 * creates a fresh database and returns its URL; `close()` stops the cluster and removes the folder.
 */
export class Postgres {
  readonly port: number;
  readonly #dir: string;
  #closed = false;

  private constructor(dir: string, port: number) {
    this.#dir = dir;
    this.port = port;
  }

  static async start(): Promise<Postgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-pg-'));
    const port = await freePort();
    const cluster = new Postgres(dir, port);
    // A test file that dies leaves no server running.
    process.once('exit', () => cluster.close());
    try {
      if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
      const data = path.join(dir, 'data');
      run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, '-w', 'start']);
    } catch (error) {
      cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The URL of the cluster's `postgres` database (for CREATE DATABASE). */
  get adminUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates an empty database and returns its URL. */
  async database(name = `t_${crypto.randomBytes(6).toString('hex')}`): Promise<string> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `postgresql://postgres@127.0.0.1:${this.port}/${name}`;
  }

  /** Stops the server (fast shutdown: clients are disconnected), keeping its data: an outage. */
  stop(): void {
    run('pg_ctl', ['-D', path.join(this.#dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  /** Starts the stopped server again on its port. */
  restart(): void {
    const data = path.join(this.#dir, 'data');
    run('pg_ctl', ['-D', data, '-l', path.join(this.#dir, 'log'), '-o', `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, '-w', 'start']);
  }

  /** Stops the cluster (immediately: a throw-away one) and removes its folder. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const data = path.join(this.#dir, 'data');
    try {
      if (fs.existsSync(path.join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
