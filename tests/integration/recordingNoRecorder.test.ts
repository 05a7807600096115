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
import { listRecordings } from '../helpers/recordings.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';

/**
 * REC-11 (recorder/README.md, issue 11): a flagged room's recording that no recorder takes does
 * not stay `recording`. A real server with a real redis-server, `RECORDER=off` and no recorder
 * running, a 3 s start deadline (RECORDING_START_TIMEOUT_MS), WebRTC bots that really produce,
 * and a local HTTP receiver for the webhooks:
 *  - no recorder: the recording ends `failed` with its reason, its job is removed, the room is
 *    told `recording { active: false }`, `recording.failed` is delivered, `/healthz` is degraded
 *    (`recording.start` fault) and says no recorder listens;
 *  - a recorder started afterwards: the next trigger starts a new session, which it records;
 *  - redis-server stopped: joins and produces still work (REC-10) and the recording fails with
 *    the queue named as the reason; `/healthz` says the queue is unreachable.
 * States are asserted, not durations.
 */
const START_TIMEOUT_MS = 3000;
process.env.RECORDING_START_TIMEOUT_MS = String(START_TIMEOUT_MS);
const NO_RECORDER = 'no recorder took the recording within 3 s';
const SECRET = 'webhook-secret-for-tests-0123456789';

type Ctx = {
  srv?: TestServer;
  redis?: LocalRedis;
  dir?: string;
  receiver: WebhookReceiver;
  recorder?: ChildProcess;
  bots: WrtcBot[];
  sockets: Socket[];
};
const test = suite<Ctx>('recording without a recorder', { receiver: new WebhookReceiver(SECRET), bots: [], sockets: [] });

interface Health {
  status: string;
  workers: number;
  rooms: number;
  faults: Record<string, { count: number; lastMessage: string }>;
  recording: { queue: string; recorders: number; status: string; disk?: unknown };
}
const health = async (srv: TestServer) => (await (await fetch(`${srv.url}/healthz`)).json()) as Health;
/** The queue's part of /healthz's `recording` (its `disk` is DISK-2's, tested in recordingsApi). */
const queueOf = ({ disk: _disk, ...queue }: Health['recording']) => queue;

test.before(async (ctx) => {
  const hookUrl = await ctx.receiver.listen();
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-norec-'));
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis') });
  ctx.srv = await startTestServer({ REDIS_URL: ctx.redis.url, RECORDER: 'off', WEBHOOK_URL: hookUrl, WEBHOOK_SECRET: SECRET });
});

test.after.each((ctx) => {
  for (const b of ctx.bots.splice(0)) b.close();
  for (const s of ctx.sockets.splice(0)) s.close();
});

test.after(async (ctx) => {
  ctx.recorder?.kill('SIGKILL');
  await ctx.srv?.close();
  await ctx.redis?.close();
  await ctx.receiver.close();
  if (ctx.dir) fs.rmSync(ctx.dir, { recursive: true, force: true });
});

async function bot(ctx: Ctx, roomId: string, name: string): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  ctx.bots.push(b);
  await b.join(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  return b;
}

/** A participant without media that keeps the `recording` notifications it gets. */
async function watcher(ctx: Ctx, roomId: string): Promise<boolean[]> {
  const socket = await connectSocket(ctx.srv!.url, { token: await ctx.srv!.mintToken(roomId, 'Watcher'), roomId });
  ctx.sockets.push(socket);
  const states: boolean[] = [];
  socket.on('recording', ({ active }: { active: boolean }) => states.push(active));
  await request(socket, 'join', {});
  return states;
}

/** The failed recordings, or undefined while none (waitFor needs a falsy value to go on). */
const failedOf = (recordings: RecordingInfo[]) => {
  const failed = recordings.filter((r) => r.status === 'failed');
  return failed.length > 0 ? failed : undefined;
};
const failedHook = (ctx: Ctx, recordingId: string) => ctx.receiver.deliveries.find((d) => d.type === 'recording.failed' && d.data.recordingId === recordingId);

test('REC-11: no recorder takes the job: the recording ends failed with the reason, its job removed, the room told, recording.failed sent, /healthz degraded', async (ctx) => {
  const srv = ctx.srv!;
  const queue = srv.server.recording.queue!;
  const before = await waitFor('/healthz counts the recorders', async () => {
    const h = await health(srv);
    return h.recording?.queue === 'ok' ? h : undefined;
  });
  assert.equal(queueOf(before.recording), { queue: 'ok', recorders: 0, status: 'degraded' }, 'no recorder listens on the queue');
  assert.is(before.faults['recording.start'], undefined, 'no start has failed yet');
  assert.ok(before.workers >= 1 && typeof before.rooms === 'number', 'the former fields are kept');

  const { id: roomId } = await srv.createRoom({ name: 'Nobody records', record: true });
  const states = await watcher(ctx, roomId);
  const speaker = await bot(ctx, roomId, 'Speaker');
  const room = srv.server.registry.get(roomId)!;
  assert.is(room.media.producers().length, 2, 'the join and the produces went through');
  await waitFor('the room is told it records', () => states.includes(true), 10_000);
  const [pending] = await listRecordings(srv, roomId);
  assert.is(pending.status, 'recording');

  const [failed] = await waitFor('the recording to fail', async () => failedOf(await listRecordings(srv, roomId)), 30_000);
  assert.is(failed.id, pending.id);
  assert.is(failed.error, NO_RECORDER);
  assert.ok(failed.endedAt, 'it has an end');
  assert.not.ok(srv.server.recording.manager!.isRecording(roomId), 'the session ended');
  await waitFor('the room is told it stopped', () => states.at(-1) === false, 10_000);
  assert.equal(states, [true, false]);
  assert.is(await queue.getJob(failed.id), undefined, 'its job was removed from the queue');
  assert.is(await queue.getWaitingCount(), 0, 'nothing waits in the queue');

  const hook = await waitFor('recording.failed delivered', () => failedHook(ctx, failed.id), 15_000);
  assert.equal(hook.data, { roomId, recordingId: failed.id, error: NO_RECORDER, startedAt: failed.startedAt, endedAt: failed.endedAt, durationMs: failed.durationMs });
  const after = await health(srv);
  assert.is(after.status, 'degraded');
  assert.is(after.faults['recording.start']?.lastMessage, NO_RECORDER);
  assert.equal(queueOf(after.recording), { queue: 'ok', recorders: 0, status: 'degraded' });

  // The room is untouched: the speaker still publishes, and the session does not restart by itself.
  assert.is(room.peerCount, 2);
  assert.is(room.media.producers().length, 2);
  assert.ok(speaker.socket.connected);
  assert.equal((await listRecordings(srv, roomId)).map((r) => r.status), ['failed'], 'no new session without a new event');

  // A recorder taking the job late finds nothing to record: its reports do not revive the recording.
  for (const report of [{ status: 'processing', progress: 0 }, { status: 'failed', error: 'no media was captured during the session' }, { note: 'late' }]) {
    const res = await fetch(`${srv.url}/internal/recordings/${failed.id}/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${srv.server.recording.recorderKey}` },
      body: JSON.stringify(report),
    });
    assert.is(res.status, 200);
  }
  const kept = (await srv.server.recording.store.get(failed.id))!;
  assert.equal([kept.status, kept.error, kept.note], ['failed', NO_RECORDER, 'late'], 'a failed recording stays failed with its reason');
  // Barrier: webhooks are delivered in order, so once the watcher's participant.left is in, any
  // second recording.failed for this recording would be too.
  for (const socket of ctx.sockets.splice(0)) {
    await request(socket, 'leave', {});
    socket.close();
  }
  await waitFor('participant.left of the watcher', () => ctx.receiver.deliveries.find((d) => d.type === 'participant.left' && d.data.roomId === roomId && d.data.displayName === 'Watcher'), 15_000);
  assert.is(ctx.receiver.deliveries.filter((d) => d.type === 'recording.failed' && d.data.recordingId === failed.id).length, 1, 'one recording.failed');
});

test('recording.failed also when a recorder reports a recording failed for good (the internal channel, as a recorder would)', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Recorder gives up', record: true });
  await bot(ctx, roomId, 'Speaker');
  const [running] = await waitFor('a recording', async () => {
    const r = (await listRecordings(srv, roomId)).filter((x) => x.status === 'recording');
    return r.length > 0 ? r : undefined;
  }, 10_000);
  const recorder = { 'content-type': 'application/json', authorization: `Bearer ${srv.server.recording.recorderKey}` };
  const streams = await fetch(`${srv.url}/internal/recordings/${running.id}/streams`, { headers: recorder });
  assert.is(streams.status, 200, 'the recorder follows the session: its job is taken');
  await srv.server.recording.queue!.remove(running.id); // no job left for the recorder of the next case
  const error = 'ffmpeg wrote no file (folder present)';
  const res = await fetch(`${srv.url}/internal/recordings/${running.id}/report`, { method: 'POST', headers: recorder, body: JSON.stringify({ status: 'failed', error }) });
  assert.is(res.status, 200);
  const hook = await waitFor('recording.failed delivered', () => failedHook(ctx, running.id), 15_000);
  assert.equal([hook.data.roomId, hook.data.error], [roomId, error]);
  const kept = (await srv.server.recording.store.get(running.id))!;
  assert.equal([kept.status, kept.error], ['failed', error]);
});

test('REC-11: a recorder that appears later records the next session of the live, flagged room', async (ctx) => {
  const srv = ctx.srv!;
  const queue = srv.server.recording.queue!;
  const { id: roomId } = await srv.createRoom({ name: 'Recorder comes back', record: true });
  await bot(ctx, roomId, 'First');
  const [first] = await waitFor('the first session to fail', async () => failedOf(await listRecordings(srv, roomId)), 30_000);
  assert.is(first.error, NO_RECORDER);

  // `npm run recorder`, alone, with the server's queue, key, control URL and recordings folder.
  ctx.recorder = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../../recorder/src/main.ts')], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REDIS_URL: ctx.redis!.url,
      RECORDER_KEY: srv.server.recording.recorderKey,
      RECORDER_CONTROL_URL: srv.url,
      RECORDINGS_DIR: srv.server.config.recordingsDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  assert.ok(await srv.server.recording.recorderReady(30_000), 'the recorder listens on the queue');
  const h = await waitFor('/healthz sees the recorder', async () => {
    const current = await health(srv);
    return current.recording.recorders > 0 ? current : undefined;
  }, 15_000);
  assert.equal(queueOf(h.recording), { queue: 'ok', recorders: 1, status: 'ok' });

  // The next trigger: someone else joins and produces.
  await bot(ctx, roomId, 'Second');
  const running = await waitFor('a new session', async () => (await listRecordings(srv, roomId)).find((r) => r.id !== first.id), 10_000);
  assert.is(running.status, 'recording');
  await waitFor('its job taken by the recorder', async () => (await queue.getJobState(running.id)) === 'active', 30_000);
  await waitFor('tracks being written', () => {
    const dir = path.join(srv.server.config.recordingsDir, running.id);
    return fs.existsSync(dir) && fs.readdirSync(dir).filter((f) => f.endsWith('.mkv')).length >= 2;
  }, 20_000);
  // Past the start deadline, the taken session is still recording.
  await waitFor('the start deadline to pass', async () => Date.parse(running.startedAt) + START_TIMEOUT_MS < Date.now(), 10_000);
  assert.ok(srv.server.recording.manager!.isRecording(roomId), 'a taken session is not given up');
  assert.is((await srv.server.recording.store.get(running.id))?.status, 'recording');

  for (const b of ctx.bots.splice(0)) await b.leave();
  const ready = await waitFor('the new session to be ready', async () => {
    const r = (await listRecordings(srv, roomId)).find((x) => x.id === running.id);
    if (r?.status === 'failed') throw new Error(`failed: ${r.error}`);
    return r?.status === 'ready' ? r : undefined;
  }, 90_000, 500);
  assert.ok(ready.sizeBytes > 0);
  const firstNow = (await listRecordings(srv, roomId)).find((r) => r.id === first.id)!;
  assert.equal([firstNow.status, firstNow.error], ['failed', NO_RECORDER], 'the failed recording stays failed');
});

test('REC-11 with redis-server stopped: joins and produces still work; the recording fails naming the queue; /healthz says it is unreachable', async (ctx) => {
  const srv = ctx.srv!;
  if (ctx.recorder) {
    const exited = new Promise((resolve) => ctx.recorder!.once('exit', resolve));
    ctx.recorder.kill('SIGTERM');
    await exited;
    ctx.recorder = undefined;
  }
  await ctx.redis!.close();
  const h = await waitFor('/healthz sees the queue unreachable', async () => {
    const current = await health(srv);
    return current.recording.queue === 'unreachable' ? current : undefined;
  }, 15_000);
  assert.equal(queueOf(h.recording), { queue: 'unreachable', recorders: 0, status: 'degraded' });
  const faultsBefore = h.faults['recording.start']?.count ?? 0;

  const { id: roomId } = await srv.createRoom({ name: 'Redis is down', record: true });
  const states = await watcher(ctx, roomId);
  const ada = await bot(ctx, roomId, 'Ada');
  const grace = await bot(ctx, roomId, 'Grace');
  const room = srv.server.registry.get(roomId)!;
  assert.is(room.peerCount, 3, 'everyone joined');
  assert.is(room.media.producers().length, 4, 'both produce microphone and camera');
  await waitFor('each receives the other', () => [ada, grace].every((b) => [...b.remote.values()].filter((r) => r.frames > 0).length === 2), 20_000);

  const [failed] = await waitFor('the recording to fail', async () => failedOf(await listRecordings(srv, roomId)), 30_000);
  assert.match(failed.error ?? '', /^the recording queue \(Redis\) is unreachable: .+ \(\d attempts? in 3 s\)$/);
  await waitFor('the room is told it stopped', () => states.at(-1) === false, 10_000);
  assert.equal(states, [true, false]);
  const hook = await waitFor('recording.failed delivered', () => failedHook(ctx, failed.id), 15_000);
  assert.is(hook.data.error, failed.error);
  const after = await health(srv);
  assert.is(after.status, 'degraded');
  assert.is(after.faults['recording.start']?.count, faultsBefore + 1);
  assert.is(after.faults['recording.start']?.lastMessage, failed.error);
  assert.is(room.peerCount, 3, 'the room goes on');
});

exitAfterRun(test);
