import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, stopChild, tailOutput, waitUntilReady } from '../../server/src/process/childProcesses.js';

export interface DaemonOptions {
  /** For messages ("nginx", "turnserver"). */
  name: string;
  bin: string;
  /** A configuration template of the repo (docs/operations/…): its @KEY@ placeholders are replaced by `values`. */
  template: string;
  /** Values of the placeholders; `dir` (the daemon's temporary folder) is given to compute them. */
  values: (dir: string) => Record<string, string>;
  /** The command line, given the rendered configuration's path and the folder. */
  args: (conf: string, dir: string) => string[];
  /** Ready once this accepts TCP connections. */
  ready: { host: string; port: number };
}

/**
 * A daemon of a Debian package (nginx, coturn) run in the foreground by a test on a configuration
 * file of the repo, so that the documented file is the tested one. Its folder (configuration,
 * pid, logs) is temporary; close() stops it and removes the folder.
 */
export class Daemon {
  readonly dir: string;
  readonly #child: ChildProcess;

  private constructor(dir: string, child: ChildProcess) {
    this.dir = dir;
    this.#child = child;
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nomades-${options.name}-`));
    let conf = fs.readFileSync(options.template, 'utf8');
    for (const [k, v] of Object.entries(options.values(dir))) conf = conf.replaceAll(`@${k}@`, v);
    const left = conf.match(/@[A-Z_]+@/);
    if (left) throw new Error(`${options.template}: no value for ${left[0]}`);
    const file = path.join(dir, path.basename(options.template));
    fs.writeFileSync(file, conf, { mode: 0o600 });
    const child = spawn(options.bin, options.args(file, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    const daemon = new Daemon(dir, child);
    const output = tailOutput(child);
    const logs = () => `${output()}${fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8').slice(-2000)).join('')}`;
    await waitUntilReady(options.name, child, () => canConnect(options.ready.host, options.ready.port), logs, () => daemon.close());
    return daemon;
  }

  close(): Promise<void> {
    return stopChild(this.#child).then(() => fs.rmSync(this.dir, { recursive: true, force: true }));
  }
}
