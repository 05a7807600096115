import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NomadesServer, loadConfig } from '@nomades/server';
import { loggableUrl } from '../../server/src/logging/accessLog.js';
import { httpGet } from '../helpers/scrape.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * OPS-6 (docs/spec/operations.md): the HTTP access log. One structured line per request in the
 * server's own pino stream (`name: "access"`), with no query value (join links carry ?token=,
 * invitations ?invite=, recordings ?access=) and no header, probes at debug.
 */
const ADMIN = 'admin-key-of-the-access-log-test';

const url = suite('OPS-6 loggableUrl');

url('query values are replaced, names kept; the path is kept', () => {
  assert.is(loggableUrl('/room/weekly?token=eyJhbGciOi.x.y&name=Ada'), '/room/weekly?token=[redacted]&name=[redacted]');
  assert.is(loggableUrl('/api/recordings/r1/file?access=eyJ'), '/api/recordings/r1/file?access=[redacted]');
  assert.is(loggableUrl('/room/x?invite=abc&autojoin=1'), '/room/x?invite=[redacted]&autojoin=[redacted]');
  assert.is(loggableUrl('/healthz'), '/healthz');
  assert.is(loggableUrl('/a?secretwithoutvalue'), '/a?secretwithoutvalue=[redacted]');
  assert.is(loggableUrl('/a?%74oken=x&=y&&'), '/a?_74oken=[redacted]&=[redacted]');
  assert.is(loggableUrl(undefined), '');
});

url('a long URL is cut', () => {
  const logged = loggableUrl(`/${'a'.repeat(2000)}`);
  assert.is(logged.length, 513);
  assert.ok(logged.endsWith('…'));
});

url.run();

interface Line {
  level: number;
  name?: string;
  msg?: string;
  ms?: number;
  req?: { id?: unknown; method?: string; url?: string; remoteAddress?: string; headers?: unknown };
  res?: { statusCode?: number };
}

const log = suite<{ server?: NomadesServer; dataDir?: string; lines: string[] }>('OPS-6 access log', { lines: [] });
log.before(async (ctx) => {
  ctx.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-access-log-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: ctx.dataDir, MEDIA_WORKERS: '1', RTC_PORT: '0', ADMIN_KEY: ADMIN, LOG_LEVEL: 'debug' });
  const logger = pino({ level: 'debug', base: undefined }, { write: (line: string) => void ctx.lines.push(line) });
  ctx.server = await NomadesServer.start(config, logger);
});
log.after(async (ctx) => {
  await ctx.server?.close();
  if (ctx.dataDir) fs.rmSync(ctx.dataDir, { recursive: true, force: true });
});

const accessLines = (ctx: { lines: string[] }): Line[] => ctx.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.name === 'access');

log('one line per request: method, URL without query values, status, time, client address; secrets never written', async (ctx) => {
  const base = ctx.server!.url;
  const secrets = ['join-token-SECRET-1', 'invite-SECRET-2', 'access-SECRET-3', ADMIN];
  await httpGet(base, `/room/weekly?token=${secrets[0]}&name=Ada`);
  await httpGet(base, `/room/weekly?invite=${secrets[1]}`);
  await httpGet(base, `/api/recordings/nope/file?access=${secrets[2]}`);
  await httpGet(base, '/api/rooms', { headers: { authorization: `Bearer ${ADMIN}`, cookie: 'session=SECRET-cookie' } });
  const lines = await waitFor('four access lines', () => {
    const found = accessLines(ctx);
    return found.length >= 4 ? found : null;
  });
  const byUrl = new Map(lines.map((l) => [l.req?.url, l]));
  const join = byUrl.get('/room/weekly?token=[redacted]&name=[redacted]');
  assert.ok(join, `the join link's line: ${[...byUrl.keys()].join(', ')}`);
  assert.is(join!.level, 30, 'info');
  assert.is(join!.req!.method, 'GET');
  assert.is(join!.req!.remoteAddress, '127.0.0.1');
  assert.type(join!.res!.statusCode, 'number');
  assert.type(join!.ms, 'number');
  assert.is(join!.req!.headers, undefined, 'no header is logged');
  assert.ok(byUrl.get('/room/weekly?invite=[redacted]'));
  const recording = byUrl.get('/api/recordings/nope/file?access=[redacted]');
  assert.ok(recording);
  assert.ok(recording!.res!.statusCode! >= 400, 'a refusal is logged too');
  assert.is(byUrl.get('/api/rooms')?.res?.statusCode, 200);
  const all = ctx.lines.join('\n');
  for (const secret of [...secrets, 'SECRET-cookie']) assert.not.ok(all.includes(secret), `${secret} is not in the logs`);
});

log('/healthz and /metrics at debug', async (ctx) => {
  const base = ctx.server!.url;
  ctx.lines.length = 0;
  await httpGet(base, '/healthz');
  await httpGet(base, '/metrics');
  const lines = await waitFor('two probe lines', () => {
    const found = accessLines(ctx).filter((l) => l.req?.url === '/healthz' || l.req?.url === '/metrics');
    return found.length >= 2 ? found : null;
  });
  for (const line of lines) assert.is(line.level, 20, `${line.req?.url} at debug`);
});

log.run();
