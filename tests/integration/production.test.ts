import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { Daemon } from '../helpers/Daemon.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { freePort, MainProcess } from '../helpers/MainProcess.js';
import { NGINX_BIN } from '../helpers/Nginx.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The production install (docs/operations/production.md): what `setup --production` would install
 * (its dry run), the systemd unit (systemd-analyze verify), the server built into dist/ started by
 * node alone (no TypeScript loader) with its recorder, and deploy/nginx-site.conf in a real nginx
 * (nginx -t, then TLS, /healthz and both WebSocket upgrades through it).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const UNIT = path.join(ROOT, 'deploy/nomades-visio.service');
const SITE = path.join(ROOT, 'deploy/nginx-site.conf');
const BUILT_MAIN = path.join(ROOT, 'dist/server/src/main.js');

interface Ctx {
  dirs: string[];
  main?: MainProcess;
  nginx?: Daemon;
  cert?: TestCert;
}
const production = suite<Ctx>('production install', { dirs: [] });

production.after(async (ctx) => {
  await ctx.nginx?.close();
  ctx.main?.kill();
  ctx.cert?.remove();
  for (const d of ctx.dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(ctx: Ctx, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  ctx.dirs.push(dir);
  return dir;
}

/** `setup.sh --dry-run` with `args`: its plan, one `key: value` per line. */
function dryRun(args: string[], env: Record<string, string> = {}): Record<string, string> {
  const out = execFileSync('bash', ['scripts/setup.sh', ...args, '--dry-run'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

const TEST_TOOLS = ['chromium', 'nginx', 'libnginx-mod-stream', 'iptables', 'iproute2'];
const BUILD_TOOLS = ['g++', 'meson', 'ninja-build', 'libssl-dev'];
const RUNTIME = ['redis-server', 'ffmpeg', 'coturn', 'libssl3', 'libuv1', 'libsrtp2-1', 'libusrsctp2', 'libabsl20220623'];

production('setup --production installs the runtime packages only, and the build tools only without a built worker', (ctx) => {
  const cached = spawnSync('bash', ['scripts/build-worker.sh', '--cached'], { cwd: ROOT }).status === 0;
  assert.ok(cached, 'this machine has a built worker in its cache (npm run setup)');
  const prod = dryRun(['--production']);
  assert.is(prod.mode, 'production');
  const pkgs = prod['debian packages'].split(' ');
  for (const p of RUNTIME) assert.ok(pkgs.includes(p), `${p} in ${pkgs}`);
  for (const p of [...TEST_TOOLS, ...BUILD_TOOLS]) assert.not.ok(pkgs.includes(p), `${p} not in ${pkgs}`);
  assert.match(prod.npm, 'npm prune --omit=dev');

  // A host with an empty cache compiles the worker: the build tools come back, the test tools do not.
  const bare = dryRun(['--production'], { NOMADES_CACHE_DIR: tempDir(ctx, 'nomades-cache-') });
  const barePkgs = bare['debian packages'].split(' ');
  for (const p of BUILD_TOOLS) assert.ok(barePkgs.includes(p), `${p} in ${barePkgs}`);
  for (const p of TEST_TOOLS) assert.not.ok(barePkgs.includes(p), `${p} not in ${barePkgs}`);
  assert.match(bare.node, /Node\.js 2\d\.\d+\.\d+/);

  // The development setup keeps everything.
  const dev = dryRun([]);
  const devPkgs = dev['debian packages'].split(' ');
  for (const p of [...RUNTIME, ...BUILD_TOOLS, ...TEST_TOOLS]) assert.ok(devPkgs.includes(p), `${p} in ${devPkgs}`);
  assert.is(spawnSync('bash', ['scripts/setup.sh', '--bogus'], { cwd: ROOT }).status, 2, 'an unknown option is refused');
});

production('the systemd unit is valid and hardened', (ctx) => {
  const unit = fs.readFileSync(UNIT, 'utf8');
  for (const line of ['User=nomades-visio', 'EnvironmentFile=/etc/nomades-visio/env', 'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'StateDirectory=nomades-visio', 'ExecStart=/bin/bash /opt/nomades-visio/scripts/start.sh']) {
    assert.ok(unit.split('\n').includes(line), `the unit has ${line}`);
  }
  const verify = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
  if (verify.status !== 0) {
    // No systemd tools: a parse check (sections, key=value lines) is what is left.
    let section = '';
    for (const raw of unit.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      if (/^\[[A-Za-z]+\]$/.test(line)) section = line;
      else assert.ok(section && /^[A-Za-z]+=/.test(line), `unit line ${line}`);
    }
    return;
  }
  // Verified as installed, with the checkout in place of /opt/nomades-visio (its ExecStart must exist).
  const dir = tempDir(ctx, 'nomades-unit-');
  const check = (text: string) => {
    fs.writeFileSync(path.join(dir, 'nomades-visio.service'), text.replaceAll('/opt/nomades-visio', ROOT));
    const r = spawnSync('systemd-analyze', ['verify', path.join(dir, 'nomades-visio.service')], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr.trim() };
  };
  assert.equal(check(unit), { status: 0, stderr: '' }, 'systemd-analyze verify: no error, no warning');
  // The check can fail: a value systemd does not know is reported.
  assert.match(check(unit.replace('ProtectSystem=strict', 'ProtectSystem=everything')).stderr, /protect system value/i);
});

production('the server built into dist/ starts with node alone; nginx-site.conf serves it over TLS with both WebSockets', async (ctx) => {
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT, stdio: 'pipe' });
  assert.ok(fs.existsSync(BUILT_MAIN));
  const dataDir = tempDir(ctx, 'nomades-prod-');
  ctx.main = await MainProcess.start(dataDir, { NODE_ENV: 'production' }, ['--enable-source-maps', BUILT_MAIN]);
  const main = ctx.main;
  // Its recorder is the built one too: /healthz counts it.
  const health = await waitFor('the built recorder connected', async () => {
    const h = await (await fetch(`${main.listenUrl}/healthz`)).json();
    return h.recording?.recorders === 1 ? h : undefined;
  }, 30_000);
  assert.is(health.status, 'ok');
  const loaders = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmd.some((a) => a.includes(path.join(ROOT, 'dist/'))) ? [cmd.join(' ')] : [];
    } catch {
      return [];
    }
  });
  assert.is(loaders.length, 2, `the server and its recorder run from dist/: ${loaders.join(' | ')}`);
  for (const cmd of loaders) assert.not.match(cmd, 'tsx', `no TypeScript loader: ${cmd}`);

  if (!fs.existsSync(NGINX_BIN)) throw new Error(`nginx is needed (${NGINX_BIN}): Debian package nginx (npm run setup)`);
  ctx.cert = makeTestCert(['127.0.0.1']);
  const [httpPort, tlsPort] = [await freePort(), await freePort()];
  // The site as shipped, with the test's ports and certificate: each replaced text must be there.
  let site = fs.readFileSync(SITE, 'utf8');
  const replace = (from: string, to: string) => {
    assert.ok(site.includes(from), `${SITE} has ${from}`);
    site = site.replaceAll(from, to);
  };
  replace('    listen [::]:80;\n', '');
  replace('    listen [::]:443 ssl http2;\n', '');
  replace('listen 80;', `listen 127.0.0.1:${httpPort};`);
  replace('listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl http2;`);
  replace('server 127.0.0.1:3000;', `server 127.0.0.1:${main.port};`);
  replace('/etc/letsencrypt/live/visio.example.org/fullchain.pem', ctx.cert.certFile);
  replace('/etc/letsencrypt/live/visio.example.org/privkey.pem', ctx.cert.keyFile);
  replace('server_name visio.example.org;', 'server_name 127.0.0.1;');
  const wrapDir = tempDir(ctx, 'nomades-site-');
  fs.writeFileSync(path.join(wrapDir, 'nomades-visio.site'), site);
  // Debian's nginx.conf, reduced: the site is included in http {}.
  const wrapper = path.join(wrapDir, 'nginx.conf');
  fs.writeFileSync(wrapper, `@GLOBALS@\nevents {}\nhttp {\n    include ${path.join(wrapDir, 'nomades-visio.site')};\n}\n`);
  const globals = (dir: string) => `pid ${dir}/nginx.pid; error_log ${dir}/error.log warn; daemon off; master_process off;`;
  const testDir = tempDir(ctx, 'nomades-nginx-t-');
  fs.mkdirSync(path.join(testDir, 'logs'));
  fs.writeFileSync(path.join(testDir, 'nginx.conf'), fs.readFileSync(wrapper, 'utf8').replace('@GLOBALS@', globals(testDir)));
  const t = spawnSync(NGINX_BIN, ['-t', '-p', `${testDir}/`, '-c', path.join(testDir, 'nginx.conf')], { encoding: 'utf8' });
  assert.is(t.status, 0, `nginx -t: ${t.stderr}`);
  assert.match(t.stderr, 'syntax is ok');

  ctx.nginx = await Daemon.start({
    name: 'nginx',
    bin: NGINX_BIN,
    template: wrapper,
    values: (dir) => ({ GLOBALS: globals(dir) }),
    args: (conf, dir) => (fs.mkdirSync(`${dir}/logs`, { recursive: true }), ['-p', `${dir}/`, '-c', conf]),
    ready: { host: '127.0.0.1', port: tlsPort },
  });
  const ca = ctx.cert.cert;
  const get = (p: string) =>
    new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: tlsPort, path: p, ca }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      }).on('error', reject);
    });
  const healthz = await get('/healthz');
  assert.is(healthz.status, 200);
  assert.is(JSON.parse(healthz.body).status, 'ok');
  assert.match(String(healthz.headers['strict-transport-security']), 'max-age=');
  const plain = await fetch(`http://127.0.0.1:${httpPort}/room/welcome`, { redirect: 'manual' });
  assert.is(plain.status, 301);
  assert.is(plain.headers.get('location'), 'https://127.0.0.1/room/welcome');

  // The WebSocket upgrades pass: socket.io answers its open packet, the board's socket opens.
  const firstMessage = (url: string) =>
    new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(url, { ca });
      ws.once('message', (d) => (resolve(String(d)), ws.close()));
      ws.once('error', reject);
    });
  assert.match(await firstMessage(`wss://127.0.0.1:${tlsPort}/socket.io/?EIO=4&transport=websocket`), /^0\{"sid":/);
  const collabOpen = await new Promise<boolean>((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${tlsPort}/collab`, { ca });
    ws.once('open', () => (resolve(true), ws.close()));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`/collab answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  assert.ok(collabOpen);
  assert.is((await main.stop()).code, 0, `the built server exits 0 on SIGTERM\n${main.output}`);
});

exitAfterRun(production);
