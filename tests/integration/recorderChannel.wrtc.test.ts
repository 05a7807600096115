import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordingJobData, RecordingStreamsResponse } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Issue 10, findings 8 and 10: the recorders' channel and the files. One real server with its
 * redis-server, the recorder as a child process and WebRTC bots in a flagged room.
 *  - REC-8: the recorder key is generated (not the admin key), the admin key is refused on
 *    /internal/recordings, the child's environment holds no server secret, a job naming a
 *    foreign control URL fails without that URL being contacted, the embedded redis-server
 *    requires a password.
 *  - REC-9: a tap to an address that is not a recorder's is refused.
 *  - FILE-1: after a start and a recording, DATA_DIR and everything in it is 0700 / 0600.
 */
type Ctx = { srv?: TestServer; parent: string; dataDir: string; bots: WrtcBot[]; roomId: string };
const test = suite<Ctx>('recorder channel and files', { parent: '', dataDir: '', bots: [], roomId: '' });

/** Secrets the test process holds: the recorder child must not inherit any of them. */
const CANARIES = {
  ADMIN_KEY: 'canary-admin-key-0123456789abcdef',
  TOKEN_SECRET: 'canary-token-secret-0123456789abcdef0123456789',
  WEBHOOK_SECRET: 'canary-webhook-secret-0123456789',
  NOMADES_CANARY_SECRET: 'canary-anything-else',
};

test.before(async (ctx) => {
  Object.assign(process.env, CANARIES);
  ctx.parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-files-'));
  // Not created yet: the server (and its redis) create it, and must create it private.
  ctx.dataDir = path.join(ctx.parent, 'data');
  ctx.srv = await startTestServer({}, { dataDir: ctx.dataDir, recording: { recorderEnv: { RECORDER_LOCK_MS: '4000' } } });
  ctx.roomId = (await ctx.srv.createRoom({ name: 'Channel', record: true })).id;
});

test.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
  for (const k of Object.keys(CANARIES)) delete process.env[k];
  fs.rmSync(ctx.parent, { recursive: true, force: true });
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
const recorderKey = (srv: TestServer) => srv.server.recording.recorderKey;

async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code;
}

test('REC-8: the recorder key is generated, kept in secrets.json, and is not the admin key', async (ctx) => {
  const srv = ctx.srv!;
  const stored = JSON.parse(fs.readFileSync(path.join(ctx.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  assert.ok(recorderKey(srv).length >= 16);
  assert.is.not(recorderKey(srv), srv.adminKey);
  assert.is(stored.recorderKey, recorderKey(srv));
  assert.is(stored.adminKey, srv.adminKey);
});

test('REC-8: /internal/recordings refuses the admin key (403 FORBIDDEN) and takes the recorder key', async (ctx) => {
  const srv = ctx.srv!;
  const url = `${srv.url}/internal/recordings/rec_doesnotexist0/streams`;
  const withAdmin = await fetch(url, { headers: bearer(srv.adminKey) });
  assert.is(withAdmin.status, 403);
  assert.is(await errorCode(withAdmin), 'FORBIDDEN');
  const withRecorder = await fetch(url, { headers: bearer(recorderKey(srv)) });
  assert.is(withRecorder.status, 404, 'past authentication: this recording does not exist');
  assert.is(await errorCode(withRecorder), 'NOT_FOUND');
});

test('REC-8: the recorder child process inherits no secret of the server', async (ctx) => {
  const srv = ctx.srv!;
  const pid = srv.server.recording.recorder?.pid;
  assert.ok(pid, 'a recorder child process runs');
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  const env = new Map(environ.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  for (const [name, value] of Object.entries(CANARIES)) {
    assert.not.ok(env.has(name), `${name} is not in the recorder's environment`);
    assert.not.ok(environ.some((line) => line.includes(value)), `the value of ${name} is nowhere in it`);
  }
  assert.not.ok(environ.some((line) => line.includes(srv.adminKey)), "the server's admin key is nowhere in it");
  assert.is(env.get('RECORDER_KEY'), recorderKey(srv));
  assert.is(env.get('REDIS_URL'), srv.server.config.redisUrl);
  assert.is(env.get('RECORDER_CONTROL_URL'), srv.url);
  assert.ok(env.get('PATH'), 'PATH is kept (ffmpeg)');
});

test('REC-8: the embedded redis-server refuses a client without the password (NOAUTH)', async (ctx) => {
  const redisUrl = new URL(ctx.srv!.server.config.redisUrl!);
  assert.ok(redisUrl.password, 'REDIS_URL carries the password');
  const exchange = (lines: string[], until: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(redisUrl.port), redisUrl.hostname);
      let answer = '';
      socket.once('connect', () => socket.write(lines.map((l) => `${l}\r\n`).join('')));
      socket.on('data', (d) => {
        answer += String(d);
        if (until.test(answer)) {
          socket.destroy();
          resolve(answer);
        }
      });
      socket.once('error', reject);
    });
  assert.is(await exchange(['PING'], /\r\n$/), '-NOAUTH Authentication required.\r\n');
  assert.is(await exchange(['KEYS *'], /\r\n$/), '-NOAUTH Authentication required.\r\n');
  const password = decodeURIComponent(redisUrl.password);
  assert.is(await exchange([`AUTH ${password}`, 'PING'], /PONG\r\n$/), '+OK\r\n+PONG\r\n');
  const stored = fs.readFileSync(path.join(ctx.dataDir, 'redis', 'password'), 'utf8').trim();
  assert.is(stored, password, 'the password is kept in DATA_DIR/redis/password');
});

test('REC-8: a job naming a foreign control URL fails, and that URL is never contacted', async (ctx) => {
  const srv = ctx.srv!;
  let hits = 0;
  const foreign = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"active":true,"streams":[]}');
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  try {
    const port = (foreign.address() as net.AddressInfo).port;
    const queue = srv.server.recording.queue!;
    const jobId = 'rec_foreignjob0001';
    const data: RecordingJobData = { recordingId: jobId, roomId: ctx.roomId, controlUrl: `http://127.0.0.1:${port}`, startedAt: new Date().toISOString() };
    await queue.add('record', data, { jobId, attempts: 3 });
    // Without the check, the recorder asks that URL for the streams before the job can end.
    await waitFor('the foreign job to fail', async () => (await queue.getJobState(jobId)) === 'failed', 20_000);
    const job = await queue.getJob(jobId);
    assert.match(job!.failedReason, 'not configured for (RECORDER_CONTROL_URL)');
    assert.is(job!.attemptsMade, 1, 'refused for good, not retried');
    assert.is(hits, 0, 'the foreign server got no request (and so no recorder key)');
    assert.not.ok(fs.existsSync(path.join(srv.server.config.recordingsDir, jobId)), 'no recording folder was made for it');
  } finally {
    await new Promise<void>((r) => foreign.close(() => r()));
  }
});

test('REC-9: a tap to an address that is not a recorder is refused (403 FORBIDDEN); the recording goes on', async (ctx) => {
  const srv = ctx.srv!;
  for (const name of ['Ada', 'Grace']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, ctx.roomId, await srv.mintToken(ctx.roomId, name));
  }
  const [running] = await waitFor('a running recording', async () => {
    const list = await listRecordings(srv, ctx.roomId);
    return list.length > 0 && list[0].status === 'recording' ? list : undefined;
  });
  const base = `${srv.url}/internal/recordings/${running.id}`;
  const streams = (await (await fetch(`${base}/streams`, { headers: bearer(recorderKey(srv)) })).json()) as RecordingStreamsResponse;
  assert.ok(streams.active && streams.streams.length >= 2, `the session lists the bots' producers: ${JSON.stringify(streams)}`);
  const producerId = streams.streams[0].producerId;
  for (const ip of ['192.0.2.10', '10.1.2.3', '::ffff:192.0.2.10', '0.0.0.0']) {
    const res = await fetch(`${base}/taps`, {
      method: 'POST',
      headers: bearer(recorderKey(srv)),
      body: JSON.stringify({ producerId, ip, rtpPort: 30000, rtcpPort: 30001 }),
    });
    assert.is(res.status, 403, `tap to ${ip}`);
    assert.is(await errorCode(res), 'FORBIDDEN');
  }
  // The recorder's own taps (loopback) are untouched: every track grows, the session composes.
  const dir = path.join(srv.server.config.recordingsDir, running.id);
  await waitFor('4 tracks of 20 kB written', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { tracks: Array<{ file: string }> };
    return manifest.tracks.length >= 4 && manifest.tracks.every((t) => fs.statSync(path.join(dir, t.file)).size > 20_000);
  }, 30_000);
  for (const bot of ctx.bots.splice(0)) await bot.leave();
  const ready = await waitRecordingReady(srv, ctx.roomId, 90_000);
  assert.ok(ready.sizeBytes > 0 && ready.durationMs > 3000, `a composed file: ${JSON.stringify(ready)}`);
});

test('FILE-1: after a start and a recording, DATA_DIR and everything in it is private (dirs 0700, files 0600)', async (ctx) => {
  const seen = { dirs: 0, files: 0, names: new Set<string>() };
  const wrong: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      seen.dirs++;
      if (mode !== 0o700) wrong.push(`${path.relative(ctx.parent, p)} ${mode.toString(8)}`);
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else {
      seen.files++;
      seen.names.add(path.extname(p) || path.basename(p));
      if (mode !== 0o600) wrong.push(`${path.relative(ctx.parent, p)} ${mode.toString(8)}`);
    }
  };
  walk(ctx.dataDir);
  assert.equal(wrong, [], 'every folder 0700 and every file 0600');
  // The walk saw what matters: databases, secrets, redis password, the recording's files.
  for (const expected of ['.db', '.json', 'password', '.mkv', '.sdp', '.mp4']) {
    assert.ok(seen.names.has(expected), `a ${expected} file was checked (${[...seen.names].join(' ')})`);
  }
});

exitAfterRun(test);
