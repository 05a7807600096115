import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MainProcess } from '../helpers/MainProcess.js';
import { rawExchange, upgradeRequest } from '../helpers/rawHttp.js';

/**
 * SEC-1…3 on the real entry point (`npm start`, server/src/main.ts, as a child process): the
 * request that used to end the process (an upgrade whose target does not parse) and reset upgrade
 * sockets leave it running, answering, and healthy; SIGTERM still ends it cleanly.
 */
const entry = suite<{ main?: MainProcess; dataDir?: string }>('process policy on npm start');

entry.before(async (ctx) => {
  ctx.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-policy-'));
  ctx.main = await MainProcess.start(ctx.dataDir, { RECORDER: 'off', REDIS_URL: '' });
});
entry.after(async (ctx) => {
  ctx.main?.kill();
  if (ctx.dataDir) fs.rmSync(ctx.dataDir, { recursive: true, force: true });
});

entry('hostile upgrades do not end npm start; /healthz stays ok; SIGTERM exits 0', async (ctx) => {
  const main = ctx.main!;
  for (const target of ['http://[', 'http://', '/nowhere', '/collab']) {
    await rawExchange(main.port, upgradeRequest(target));
    await rawExchange(main.port, upgradeRequest(target), { reset: true });
  }
  let exited = false;
  void main.exited.then(() => (exited = true));
  const res = await fetch(`${main.listenUrl}/healthz`);
  assert.is(res.status, 200);
  const body = (await res.json()) as { status: string; faults: Record<string, unknown> };
  assert.is(body.status, 'ok', `no fault recorded: ${JSON.stringify(body.faults)}`);
  assert.not.ok(exited, 'still running');
  assert.not.match(main.output, /uncaught|unhandled/i);
  const { code } = await main.stop();
  assert.is(code, 0, `clean exit:\n${main.output.slice(-2000)}`);
});

entry.run();
