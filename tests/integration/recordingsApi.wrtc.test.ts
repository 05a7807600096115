import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordingInfo } from '@nomades/shared';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * The recordings API and the recording trigger beyond recording.wrtc.test.ts, with the real
 * recorder (BullMQ + ffmpeg, redis-server) and WebRTC bots:
 *  - `GET /api/recordings/:id` follows one recording from `recording` to `ready`;
 *  - `DELETE /api/recordings/:id` is 409 CONFLICT while it is `recording` and while `processing`
 *    (the recorder is held with SIGSTOP once it has reported `processing`), 204 once ready;
 *  - REC-3: the flag turned on, off and on again with people present makes two sessions;
 *  - `RECORDER=off`: the server runs no recorder, a flagged session's job waits in the queue, and
 *    a recorder started on its own (`npm run recorder`) takes it and composes the file.
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[]; sockets: Socket[]; stopped: number[] };
const rec = suite<Ctx>('recordings API', { bots: [], sockets: [], stopped: [] });

rec.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { recording: {} });
});
rec.after.each((ctx) => {
  for (const pid of ctx.stopped.splice(0)) process.kill(pid, 'SIGCONT');
  for (const b of ctx.bots.splice(0)) b.close();
  for (const s of ctx.sockets.splice(0)) s.close();
});
rec.after(async (ctx) => {
  await ctx.srv?.close();
});

async function bot(ctx: Ctx, srv: TestServer, roomId: string, name: string): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  ctx.bots.push(b);
  await b.join(srv.url, roomId, await srv.mintToken(roomId, name));
  return b;
}

/** A participant without media that keeps the `recording` notifications it gets. */
async function watcher(ctx: Ctx, srv: TestServer, roomId: string): Promise<boolean[]> {
  const socket = await connectSocket(srv.url, { token: await srv.mintToken(roomId, 'Watcher'), roomId });
  ctx.sockets.push(socket);
  const states: boolean[] = [];
  socket.on('recording', ({ active }: { active: boolean }) => states.push(active));
  await request(socket, 'join', {});
  return states;
}

const getRecording = (srv: TestServer, id: string) => admin(srv, 'GET', `/api/recordings/${id}`);
const tracksOf = (srv: TestServer, id: string) => {
  const dir = path.join(srv.server.config.recordingsDir, id);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.mkv')) : [];
};

rec('GET /api/recordings/:id from recording to ready; DELETE is 409 CONFLICT while recording and while processing, 204 once ready', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Lifecycle', record: true });
  const speaker = await bot(ctx, srv, roomId, 'Speaker');
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, roomId)).filter((r) => r.status === 'recording'), 15_000);
  const one = await getRecording(srv, running.id);
  assert.is(one.status, 200);
  assert.equal(one.json, (await listRecordings(srv, roomId))[0], 'the same record as the listing');
  assert.equal([one.json.roomId, one.json.status], [roomId, 'recording']);
  await waitFor('tracks being written', () => tracksOf(srv, running.id).length >= 2, 15_000);

  const whileRecording = await admin(srv, 'DELETE', `/api/recordings/${running.id}`);
  assert.equal([whileRecording.status, whileRecording.code], [409, 'CONFLICT']);
  assert.is((await getRecording(srv, running.id)).json.status, 'recording', 'still recording after the refused DELETE');
  assert.ok(tracksOf(srv, running.id).length >= 2, 'its tracks are still there');

  await sleep(4000); // a few seconds of media to compose
  await speaker.leave();
  // Hold the recorder (SIGSTOP) at a moment it has reported `processing`: it cannot report `ready` meanwhile.
  const recorderPid = srv.server.recording.recorder!.pid!;
  let processing: string | undefined;
  for (const deadline = Date.now() + 60_000; !processing; await sleep(20)) {
    process.kill(recorderPid, 'SIGSTOP');
    ctx.stopped.push(recorderPid);
    const { status } = (await getRecording(srv, running.id)).json as RecordingInfo;
    if (status === 'processing') processing = status;
    else {
      process.kill(recorderPid, 'SIGCONT');
      ctx.stopped.pop();
      if (status !== 'recording') throw new Error(`the recording went ${status} before it could be held while processing`);
      if (Date.now() > deadline) throw new Error('timed out waiting for the recording to be processing');
    }
  }
  assert.is(processing, 'processing');
  const whileProcessing = await admin(srv, 'DELETE', `/api/recordings/${running.id}`);
  assert.equal([whileProcessing.status, whileProcessing.code], [409, 'CONFLICT']);
  assert.ok(tracksOf(srv, running.id).length >= 2, 'nothing removed while processing');
  process.kill(recorderPid, 'SIGCONT');
  ctx.stopped.pop();

  const ready = await waitRecordingReady(srv, roomId, 90_000);
  assert.is(ready.id, running.id);
  const done = (await getRecording(srv, ready.id)).json as RecordingInfo;
  assert.equal(done, ready);
  assert.is(done.progress, 100);
  assert.ok(Date.parse(done.endedAt!) >= Date.parse(done.startedAt), `endedAt ${done.endedAt} after startedAt ${done.startedAt}`);
  assert.ok(done.durationMs > 2000, `durationMs ${done.durationMs}`);
  const file = path.join(srv.server.config.recordingsDir, done.id, `${done.id}.mp4`);
  assert.is(fs.statSync(file).size, done.sizeBytes, 'sizeBytes is the size of the composed file');

  const deleted = await admin(srv, 'DELETE', `/api/recordings/${done.id}`);
  assert.is(deleted.status, 204);
  assert.not.ok(fs.existsSync(path.dirname(file)), 'its folder is gone');
  const after = await getRecording(srv, done.id);
  assert.equal([after.status, after.code], [404, 'NOT_FOUND']);
  assert.equal(await listRecordings(srv, roomId), [], 'no longer listed');
  assert.is(await srv.server.recording.queue!.getJob(done.id), undefined, 'its job is gone from the queue');
  const twice = await admin(srv, 'DELETE', `/api/recordings/${done.id}`);
  assert.equal([twice.status, twice.code], [404, 'NOT_FOUND']);
  assert.equal((await getRecording(srv, 'rec_doesnotexist000')).code, 'NOT_FOUND');
});

rec('REC-3: the flag turned off and on again with people present starts a new session, with its own recording', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'On and off' });
  const states = await watcher(ctx, srv, roomId);
  // REC-14: a host present hears of each status the first recording takes once its session ends.
  const host = await connectSocket(srv.url, { token: await srv.mintToken(roomId, 'Host', 'host'), roomId });
  ctx.sockets.push(host);
  const statuses: Array<{ recordingId: string; status: string }> = [];
  host.on('recordingStatus', (n: { recordingId: string; status: string }) => statuses.push(n));
  await request(host, 'join', {});
  await bot(ctx, srv, roomId, 'Speaker');
  const patch = async (record: boolean) => assert.is((await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { record })).status, 200);

  await patch(true);
  await waitFor('first session starts', () => states.length === 1);
  const [first] = await listRecordings(srv, roomId);
  await sleep(3000);
  await patch(false);
  await waitFor('first session ends', () => states.length === 2);
  await waitFor('the host hears the first recording is ready', () => statuses.some((s) => s.recordingId === first.id && s.status === 'ready'), 60_000);
  assert.equal(statuses.filter((s) => s.recordingId === first.id).map((s) => s.status), ['processing', 'ready']);
  await patch(true);
  await waitFor('second session starts', () => states.length === 3);
  assert.equal(states, [true, false, true]);
  const list = await listRecordings(srv, roomId);
  assert.is(list.length, 2, 'two recordings');
  const second = list.find((r) => r.id !== first.id)!;
  assert.is(second.status, 'recording');
  assert.ok(Date.parse(second.startedAt) >= Date.parse((await getRecording(srv, first.id)).json.endedAt), 'the second starts after the first ended');
  assert.ok(await srv.server.recording.queue!.getJob(second.id), 'one job per session');
  await sleep(3000);
  // Everyone leaves (the watcher too): the room is empty and the second session ends.
  for (const b of ctx.bots.splice(0)) await b.leave();
  for (const s of ctx.sockets.splice(0)) s.close();
  await waitFor('second session ends when the room empties', async () => (await getRecording(srv, second.id)).json.endedAt, 10_000);

  const both = await waitFor(
    'both recordings ready',
    async () => {
      const all = await listRecordings(srv, roomId);
      const failed = all.find((r) => r.status === 'failed');
      if (failed) throw new Error(`recording failed: ${failed.error}`);
      return all.length === 2 && all.every((r) => r.status === 'ready') ? all : undefined;
    },
    120_000,
    500,
  );
  for (const r of both) {
    assert.ok(r.durationMs > 1500 && r.sizeBytes > 0, `${r.id}: ${r.durationMs} ms, ${r.sizeBytes} bytes`);
    assert.ok(fs.existsSync(path.join(srv.server.config.recordingsDir, r.id, `${r.id}.mp4`)));
  }
});

rec('RECORDER=off: no recorder in the server; the job waits in the queue until a recorder started on its own takes it and composes the file', async (ctx) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-recoff-'));
  const redis = await LocalRedis.start({ dir: path.join(dir, 'redis') });
  let srv: TestServer | undefined;
  let recorder: ChildProcess | undefined;
  try {
    srv = await startTestServer({ REDIS_URL: redis.url, RECORDER: 'off' });
    const queue = srv.server.recording.queue!;
    assert.ok(queue, 'the server queues recordings');
    assert.is(srv.server.recording.recorder, undefined, 'no recorder process of its own');
    assert.is(await queue.getWorkersCount(), 0, 'nobody takes jobs');

    const { id: roomId } = await srv.createRoom({ name: 'Elsewhere', record: true });
    const states = await watcher(ctx, srv, roomId);
    await bot(ctx, srv, roomId, 'Speaker');
    await waitFor('the room is told it records', () => states.at(-1) === true, 15_000);
    const [pending] = await listRecordings(srv, roomId);
    assert.is(pending.status, 'recording');
    const job = await waitFor('the job queued', () => queue.getJob(pending.id));
    assert.is(await job.getState(), 'waiting', 'the job waits: no recorder runs');
    assert.equal(tracksOf(srv, pending.id), [], 'nothing captured without a recorder');

    // `npm run recorder`, alone, with the server's queue, key, control URL and recordings folder.
    recorder = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../../recorder/src/main.ts')], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        REDIS_URL: redis.url,
        RECORDER_KEY: srv.server.recording.recorderKey,
        RECORDER_CONTROL_URL: srv.url,
        RECORDINGS_DIR: srv.server.config.recordingsDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => recorder!.once('exit', (code) => resolve(code)));
    await waitFor('the job taken by the recorder', async () => (await job.getState()) === 'active', 30_000);
    await waitFor('tracks being written', () => tracksOf(srv!, pending.id).length >= 2, 20_000);
    await sleep(3000);
    for (const b of ctx.bots.splice(0)) await b.leave();
    for (const s of ctx.sockets.splice(0)) s.close();
    const ready = await waitRecordingReady(srv, roomId, 90_000);
    assert.is(ready.id, pending.id);
    const res = await fetch(`${srv.url}/api/recordings/${ready.id}/file`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
    assert.is(res.status, 200);
    assert.is((await res.arrayBuffer()).byteLength, ready.sizeBytes);
    recorder.kill('SIGTERM');
    assert.is(await exited, 0, 'the recorder stops cleanly on SIGTERM');
    recorder = undefined;
  } finally {
    recorder?.kill('SIGKILL');
    for (const b of ctx.bots.splice(0)) b.close();
    for (const s of ctx.sockets.splice(0)) s.close();
    await srv?.close();
    await redis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

rec('DISK-1/2: with the recordings disk low a flagged room is not recorded, its people are told, /healthz and /metrics say so; space freed, the next trigger records', async (ctx) => {
  const srv = ctx.srv!;
  const disk = srv.server.recording.disk;
  const threshold = disk.minFreeBytes;
  // More free space asked for than any disk has: the disk is "low".
  disk.minFreeBytes = Number.MAX_SAFE_INTEGER;
  try {
    const { id: roomId } = await srv.createRoom({ name: 'Full disk', record: true });
    const socket = await connectSocket(srv.url, { token: await srv.mintToken(roomId, 'Watcher'), roomId });
    ctx.sockets.push(socket);
    const told: Array<{ active: boolean; refused?: string }> = [];
    socket.on('recording', (n: { active: boolean; refused?: string }) => told.push(n));
    await request(socket, 'join', {});
    await bot(ctx, srv, roomId, 'Speaker');
    await waitFor('the room told the recording did not start', () => told.some((n) => n.refused === 'diskLow'), 10_000);
    assert.equal(told, [{ active: false, refused: 'diskLow' }], 'told once, never that it records');
    assert.equal(await listRecordings(srv, roomId), [], 'no recording, no job');
    const late = await connectSocket(srv.url, { token: await srv.mintToken(roomId, 'Late'), roomId });
    ctx.sockets.push(late);
    const lateTold: Array<{ active: boolean; refused?: string }> = [];
    late.on('recording', (n: { active: boolean; refused?: string }) => lateTold.push(n));
    await request(late, 'join', {});
    await waitFor('a joiner told too', () => lateTold.length > 0, 5_000);
    assert.equal(lateTold, [{ active: false, refused: 'diskLow' }]);

    const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string; recording: { status: string; disk: { low: boolean; freeBytes: number } }; faults: Record<string, unknown> };
    assert.equal([health.recording.status, health.recording.disk.low, health.status], ['degraded', true, 'degraded']);
    assert.ok(health.recording.disk.freeBytes > 0);
    assert.ok(health.faults['recording.disk'], 'a recording.disk fault is counted');
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    const free = /^nomades_recordings_disk_free_bytes (\S+)$/m.exec(metrics);
    assert.ok(free && Number(free[1]) > 0, `the gauge: ${free?.[0]}`);

    // Space freed: the next trigger (a new producer) starts the recording.
    disk.minFreeBytes = threshold;
    await bot(ctx, srv, roomId, 'Second');
    await waitFor('the recording starts', async () => (await listRecordings(srv, roomId)).some((r) => r.status === 'recording'), 15_000);
    await waitFor('the room told it records', () => told.at(-1)?.active === true, 5_000);
  } finally {
    disk.minFreeBytes = threshold;
  }
});

exitAfterRun(rec);
