import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, stopChild } from '../../server/src/process/childProcesses.js';

export const NGINX_BIN = '/usr/sbin/nginx';
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/**
 * Debian's nginx in the foreground with a configuration of the test's own (its prefix, pid and
 * logs in a temporary folder), started from a template whose @KEY@ placeholders are replaced;
 * close() stops it and removes the folder.
 */
export class Nginx {
  readonly dir: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(dir: string, child: ChildProcess) {
    this.dir = dir;
    this.#child = child;
    child.stderr?.on('data', (d) => (this.#output = (this.#output + String(d)).slice(-4000)));
  }

  static available(): boolean {
    return fs.existsSync(NGINX_BIN) && fs.existsSync(NGINX_STREAM_MODULE);
  }

  /** Starts nginx on `template` with `values`, and waits until `waitFor` (host, port) accepts connections. */
  static async start(template: string, values: Record<string, string>, waitFor: { host: string; port: number }): Promise<Nginx> {
    if (!Nginx.available()) throw new Error(`nginx with its stream module is needed (${NGINX_BIN}, ${NGINX_STREAM_MODULE}): Debian packages nginx and libnginx-mod-stream (npm run setup)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-nginx-'));
    fs.mkdirSync(path.join(dir, 'logs'));
    const all: Record<string, string> = {
      LOAD_MODULE: `load_module ${NGINX_STREAM_MODULE};`,
      GLOBALS: `pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn; daemon off; master_process off;`,
      ...values,
    };
    let conf = fs.readFileSync(template, 'utf8');
    for (const [k, v] of Object.entries(all)) conf = conf.replaceAll(`@${k}@`, v);
    const left = conf.match(/@[A-Z_]+@/);
    if (left) throw new Error(`nginx template: no value for ${left[0]}`);
    const file = path.join(dir, 'nginx.conf');
    fs.writeFileSync(file, conf);
    const child = spawn(NGINX_BIN, ['-p', `${dir}/`, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const nginx = new Nginx(dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) {
        const log = fs.existsSync(path.join(dir, 'logs/error.log')) ? fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8') : '';
        await nginx.close();
        throw new Error(`nginx exited: ${nginx.#output}${log}`);
      }
      if (await canConnect(waitFor.host, waitFor.port)) return nginx;
      if (Date.now() > deadline) {
        await nginx.close();
        throw new Error('nginx did not listen within 10 s');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): Promise<void> {
    return stopChild(this.#child).then(() => fs.rmSync(this.dir, { recursive: true, force: true }));
  }
}
