import fs from 'node:fs';
import { Daemon } from './Daemon.js';

export const NGINX_BIN = '/usr/sbin/nginx';
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** Debian's nginx (with its stream module) in the foreground on a configuration template of the repo. */
export const Nginx = {
  available(): boolean {
    return fs.existsSync(NGINX_BIN) && fs.existsSync(NGINX_STREAM_MODULE);
  },

  /** Starts nginx on `template` with `values` (plus its module and globals), ready once `ready` accepts connections. */
  async start(template: string, values: Record<string, string>, ready: { host: string; port: number }): Promise<Daemon> {
    if (!Nginx.available()) throw new Error(`nginx with its stream module is needed (${NGINX_BIN}, ${NGINX_STREAM_MODULE}): Debian packages nginx and libnginx-mod-stream (npm run setup)`);
    return Daemon.start({
      name: 'nginx',
      bin: NGINX_BIN,
      template,
      values: (dir) => ({
        LOAD_MODULE: `load_module ${NGINX_STREAM_MODULE};`,
        GLOBALS: `pid ${dir}/nginx.pid; error_log ${dir}/error.log warn; daemon off; master_process off;`,
        ...values,
      }),
      // Its prefix is the folder: relative paths of its defaults (logs/access.log…) land there.
      args: (conf, dir) => (fs.mkdirSync(`${dir}/logs`, { recursive: true }), ['-p', `${dir}/`, '-c', conf]),
      ready,
    });
  },
};
