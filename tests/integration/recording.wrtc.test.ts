import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordingInfo } from '@nomades/shared';
import { measureAvSync } from '../helpers/avSync.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { connectSocket, request, roundTrip } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

const exec = promisify(execFile);

/**
 * Issue 4: automatic recording of flagged rooms. Real parts: redis-server, the recorder as its
 * own process (BullMQ worker + ffmpeg), real WebRTC bots publishing a 440 Hz tone and a moving
 * picture, and ffprobe/ffmpeg to check the composed file.
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[]; sockets: Socket[]; tmp: string };
const rec = suite<Ctx>('recording', { bots: [], sockets: [], tmp: '' });

rec.before(async (ctx) => {
  // Short BullMQ locks so that a killed recorder's job is taken over within seconds.
  // A short resume grace (SIG-13): a participant who vanishes is let go after 8 s.
  ctx.srv = await startTestServer({ RESUME_GRACE_MS: '8000' }, { recording: { recorderEnv: { RECORDER_LOCK_MS: '4000', RECORDER_SEGMENT_S: '5' } } });
  ctx.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-rec-'));
});

rec.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  for (const s of ctx.sockets) s.close();
  await ctx.srv?.close();
  fs.rmSync(ctx.tmp, { recursive: true, force: true });
});

const admin = (srv: TestServer, key = srv.adminKey) => ({ authorization: `Bearer ${key}` });

/** A participant without media that records the `recording` notifications it receives. */
async function observer(ctx: Ctx, roomId: string, name: string): Promise<{ socket: Socket; states: boolean[] }> {
  const srv = ctx.srv!;
  const socket = await connectSocket(srv.url, { token: await srv.mintToken(roomId, name), roomId });
  ctx.sockets.push(socket);
  const states: boolean[] = [];
  socket.on('recording', ({ active }: { active: boolean }) => states.push(active));
  await request(socket, 'join', {});
  return { socket, states };
}

async function download(srv: TestServer, id: string, file: string): Promise<void> {
  const res = await fetch(`${srv.url}/api/recordings/${id}/file`, { headers: admin(srv) });
  assert.is(res.status, 200, `download: ${res.status}`);
  assert.is(res.headers.get('content-type'), 'video/mp4');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
}

async function probe(file: string) {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file]);
  const p = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; codec_name: string }> };
  return { duration: Number(p.format.duration), streams: p.streams };
}

async function meanVolume(file: string): Promise<number> {
  const { stderr } = await exec('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-']);
  return Number(/mean_volume:\s*(-?[\d.]+) dB/.exec(stderr)?.[1] ?? NaN);
}

/** Distinct pictures among one frame per second, and the frozen spans ffmpeg's freezedetect finds. */
async function motion(file: string): Promise<{ frames: number; distinct: number; freezes: number }> {
  const { stdout } = await exec('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-map', '0:v', '-vf', 'fps=1', '-f', 'framemd5', '-'], { maxBuffer: 1 << 24 });
  const hashes = stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
  const { stderr } = await exec('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:v', '-vf', 'freezedetect=n=0.001:d=2', '-f', 'null', '-']);
  return { frames: hashes.length, distinct: new Set(hashes).size, freezes: (stderr.match(/freeze_start/g) ?? []).length };
}

/** `gapSec`: a recorder interruption leaves one span without media (black cells) at most this long. */
async function checkComposed(ctx: Ctx, r: RecordingInfo, secondsInRoom: number, label: string, gapSec = 0): Promise<void> {
  const srv = ctx.srv!;
  const file = path.join(ctx.tmp, `${label}.mp4`);
  await download(srv, r.id, file);
  assert.is(fs.statSync(file).size, r.sizeBytes, 'sizeBytes is the downloaded size');
  const p = await probe(file);
  assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264'), `an H.264 video stream: ${JSON.stringify(p.streams)}`);
  assert.ok(p.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'), 'an AAC audio stream');
  assert.ok(Math.abs(p.duration - secondsInRoom) <= 2, `${label}: duration ${p.duration.toFixed(2)} s vs ${secondsInRoom.toFixed(2)} s in the room`);
  assert.ok(Math.abs(r.durationMs / 1000 - p.duration) <= 0.5, `durationMs ${r.durationMs} matches the file`);
  const volume = await meanVolume(file);
  assert.ok(volume > -40, `${label}: audio is not silent (mean_volume ${volume} dB)`);
  const m = await motion(file);
  assert.ok(m.distinct >= (m.frames - gapSec) * 0.8, `${label}: video moves (${m.distinct} distinct of ${m.frames} sampled frames)`);
  assert.ok(m.freezes <= (gapSec > 0 ? 1 : 0), `${label}: freezedetect finds ${m.freezes} frozen span(s) of 2 s`);
  console.log(`  ${label}: ${p.duration.toFixed(2)} s (room ${secondsInRoom.toFixed(2)} s), ${r.sizeBytes} bytes, mean volume ${volume} dB, ${m.distinct}/${m.frames} distinct frames`);
}

/**
 * A recording of its own: a flagged room, one bot for `seconds`, then the recording once ready.
 * `whileRecording` runs while the session records (its recording is passed).
 */
async function shortRecording(ctx: Ctx, name: string, seconds = 3, whileRecording: (r: RecordingInfo) => Promise<void> = async () => {}): Promise<RecordingInfo> {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name, record: true });
  const bot = new WrtcBot(name);
  ctx.bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, name));
  const t0 = Date.now();
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, id)).filter((r) => r.status === 'recording'), 10_000);
  await whileRecording(running);
  await sleep(seconds * 1000 - (Date.now() - t0));
  await bot.leave();
  ctx.bots.splice(ctx.bots.indexOf(bot), 1);
  return waitRecordingReady(srv, id, 90_000);
}

rec('a flagged room: one job per session, everyone told, one playable composed file of three segments joined (REC-1, REC-4, COMP-6)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Council', record: true });
  const watcher = await observer(ctx, id, 'Watcher');
  assert.equal(watcher.states, [], 'nothing recorded before there is media');
  const t0 = Date.now();
  for (const name of ['Ada', 'Grace']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, name));
  }
  await waitFor('the watcher is told the room records', () => watcher.states.at(-1) === true, 10_000);
  const [running] = await listRecordings(srv, id);
  assert.is(running.status, 'recording');
  const late = await observer(ctx, id, 'Latecomer');
  assert.equal(late.states, [true], 'a joiner is told at once that the room records');
  // COMP-6 (segments of 5 s here): the first window is composed while the meeting runs.
  const segment = path.join(srv.server.config.recordingsDir, running.id, 'segments', '00000.mkv');
  await waitFor('the first segment composed during the meeting', () => fs.existsSync(segment), 14_000 - (Date.now() - t0));
  await sleep(15_000 - (Date.now() - t0));
  for (const bot of ctx.bots.splice(0)) await bot.leave();
  const emptied = Date.now();
  late.socket.close();
  watcher.socket.close();
  const secondsInRoom = (Date.now() - t0) / 1000;
  const ready = await waitRecordingReady(srv, id, 90_000, 200);
  console.log(`  ready ${((Date.now() - emptied) / 1000).toFixed(1)} s after the room emptied`);
  assert.not.ok(fs.existsSync(path.dirname(segment)), 'the segments are removed once joined');
  assert.is(ready.progress, 100);
  assert.is((await listRecordings(srv, id)).length, 1, 'one recording for the session');
  const tracks = fs.readdirSync(path.join(srv.server.config.recordingsDir, ready.id)).filter((f) => f.endsWith('.mkv'));
  assert.ok(tracks.length >= 4, `per-participant tracks kept (2 × audio + video): ${tracks}`);
  await checkComposed(ctx, ready, secondsInRoom, 'flagged');

  // Range requests for playback.
  const res = await fetch(`${srv.url}/api/recordings/${ready.id}/file`, { headers: { ...admin(srv), range: 'bytes=0-99' } });
  assert.is(res.status, 206);
  assert.is((await res.arrayBuffer()).byteLength, 100);
  assert.match(res.headers.get('content-range') ?? '', `bytes 0-99/${ready.sizeBytes}`);
});

rec("the composed file keeps a participant's picture and voice in sync: flash and beep within 100 ms (REC-7)", async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Sync', record: true });
  const bot = new WrtcBot('Marker');
  bot.markerPeriodMs = 1500;
  ctx.bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, bot.name));
  await sleep(14_000);
  await bot.leave();
  const ready = await waitRecordingReady(srv, id, 90_000);
  const sync = await measureAvSync(path.join(srv.server.config.recordingsDir, ready.id, `${ready.id}.mp4`));
  const offsets = sync.pairs.map((p) => Math.round(p.offsetMs));
  console.log(`  sync: ${sync.flashes} flashes, ${sync.beeps} beeps, audio − video ${offsets.join(', ')} ms`);
  assert.ok(sync.pairs.length >= 5, `at least 5 markers matched (${sync.flashes} flashes, ${sync.beeps} beeps)`);
  assert.ok(sync.pairs.every((p) => Math.abs(p.offsetMs) <= 100), `every offset within 100 ms: ${offsets}`);
});

rec('COMP-6: a participant who vanishes (a closed laptop): the file ends with their last media, not padded by the resume grace', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Vanished', record: true });
  const bot = new WrtcBot('Gone');
  ctx.bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, bot.name));
  await waitFor('a recording', async () => (await listRecordings(srv, id)).some((r) => r.status === 'recording'), 10_000);
  const t0 = Date.now();
  await sleep(7000);
  // No leave: the socket and the media just stop. The session ends once the 8 s grace is over,
  // while windows of 5 s are composed meanwhile (one of them after the last media).
  bot.close();
  ctx.bots.splice(ctx.bots.indexOf(bot), 1);
  const vanished = (Date.now() - t0) / 1000;
  const ready = await waitRecordingReady(srv, id, 90_000);
  const file = path.join(srv.server.config.recordingsDir, ready.id, `${ready.id}.mp4`);
  const p = await probe(file);
  assert.ok(p.duration < vanished + 3, `the file ends with the last media: ${p.duration.toFixed(2)} s for ${vanished.toFixed(2)} s of media (grace 8 s)`);
  assert.ok(p.duration > vanished - 2, `and keeps it all: ${p.duration.toFixed(2)} s`);
});

rec('an unflagged room is never recorded; the flag turned on and off live starts and stops it (REC-2, REC-3)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Private' });
  const watcher = await observer(ctx, id, 'Watcher');
  const bot = new WrtcBot('Solo');
  ctx.bots.push(bot);
  await bot.join(srv.url, id, await srv.mintToken(id, 'Solo'));
  const joinedAt = Date.now();
  // The barrier: a flagged control room whose participant joins after Solo does get recorded.
  const control = await srv.createRoom({ name: 'Control', record: true });
  const controlWatcher = await observer(ctx, control.id, 'Control watcher');
  const controlBot = new WrtcBot('Control');
  ctx.bots.push(controlBot);
  await controlBot.join(srv.url, control.id, await srv.mintToken(control.id, 'Control'));
  await waitFor('the control room records', () => controlWatcher.states.at(-1) === true, 10_000);
  await roundTrip(watcher.socket);
  assert.equal(watcher.states, [], 'no recording notification in the unflagged room');
  assert.equal(await listRecordings(srv, id), [], 'no recording of an unflagged room');
  const counts = await srv.server.recording.queue!.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed');
  const before = Object.values(counts).reduce((a, b) => a + b, 0);
  // Unflagged time in the room, so that a recording of the whole stay would be visibly longer.
  await sleep(3000 - (Date.now() - joinedAt));

  const patch = (record: boolean) =>
    fetch(`${srv.url}/api/rooms/${id}`, { method: 'PATCH', headers: { ...admin(srv), 'content-type': 'application/json' }, body: JSON.stringify({ record }) });
  assert.is((await patch(true)).status, 200);
  await waitFor('recording starts when flagged live', () => watcher.states.at(-1) === true, 5_000);
  const flaggedAt = Date.now();
  await sleep(4000);
  assert.is((await patch(false)).status, 200);
  await waitFor('recording stops when unflagged', () => watcher.states.at(-1) === false, 5_000);
  const stretchMs = Date.now() - flaggedAt;
  assert.equal(watcher.states, [true, false]);
  const after = await srv.server.recording.queue!.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed');
  assert.is(Object.values(after).reduce((a, b) => a + b, 0), before + 1, 'exactly one job, for the flagged stretch');
  const ready = await waitRecordingReady(srv, id, 60_000);
  const unflaggedMs = flaggedAt - joinedAt;
  assert.ok(ready.durationMs <= stretchMs + 1000, `only the flagged stretch is recorded: ${ready.durationMs} ms, flagged ${stretchMs} ms, unflagged before ${unflaggedMs} ms`);
  assert.ok(ready.durationMs >= stretchMs - 2000, `the flagged stretch is recorded: ${ready.durationMs} ms of ${stretchMs} ms`);
  await bot.leave();
  await controlBot.leave();
  watcher.socket.close();
  controlWatcher.socket.close();
});

rec('no recording without the admin key: 401 without credentials, 403 with a room token or a wrong key', async (ctx) => {
  const srv = ctx.srv!;
  const any = await shortRecording(ctx, 'Secret');
  const id = any.roomId;
  const token = await srv.mintToken(id, 'Eve', 'host');
  const urls: Array<[string, string]> = [
    ['GET', `/api/rooms/${id}/recordings`],
    ['GET', `/api/recordings/${any.id}/file`],
    ['GET', `/api/recordings/${any.id}`],
    ['DELETE', `/api/recordings/${any.id}`],
    ['GET', `/internal/recordings/${any.id}/streams`],
  ];
  for (const [method, url] of urls) {
    assert.is((await fetch(srv.url + url, { method })).status, 401, `${method} ${url} without credentials`);
    assert.is((await fetch(srv.url + url, { method, headers: { authorization: `Bearer ${token}` } })).status, 403, `${method} ${url} with a room token`);
    assert.is((await fetch(srv.url + url, { method, headers: admin(srv, 'x'.repeat(32)) })).status, 403, `${method} ${url} with a wrong key`);
  }
  assert.is((await fetch(`${srv.url}/api/recordings/rec_doesnotexist000/file`, { headers: admin(srv) })).status, 404);
  assert.is((await fetch(`${srv.url}/api/recordings/..%2F..%2Fsecrets.json/file`, { headers: admin(srv) })).status, 404);
  assert.is((await fetch(`${srv.url}/api/rooms/${any.roomId}/recordings`, { headers: admin(srv) })).status, 200);
});

rec('killing the recorder mid-session: the job is taken over and completes; the status says what happened', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Resilient', record: true });
  const t0 = Date.now();
  for (const name of ['Ada', 'Grace']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, name));
  }
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, id)).filter((r) => r.status === 'recording'), 10_000);
  const dir = path.join(srv.server.config.recordingsDir, running.id);
  await waitFor('tracks being written', () => fs.existsSync(dir) && fs.readdirSync(dir).filter((f) => f.endsWith('.mkv') && fs.statSync(path.join(dir, f)).size > 10_000).length >= 4, 15_000);
  const pid = srv.server.recording.recorder!.pid!;
  process.kill(pid, 'SIGKILL');
  await waitFor('a new recorder process', () => srv.server.recording.recorder!.pid !== undefined && srv.server.recording.recorder!.pid !== pid, 10_000);
  await waitFor('the job taken over by the new recorder', async () => (await listRecordings(srv, id))[0]?.note?.includes('interrupted'), 30_000);
  await sleep(4000);
  for (const bot of ctx.bots.splice(0)) await bot.leave();
  const secondsInRoom = (Date.now() - t0) / 1000;
  const ready = await waitRecordingReady(srv, id, 90_000);
  assert.match(ready.note ?? '', /interrupted/);
  const tracks = fs.readdirSync(dir).filter((f) => f.endsWith('.mkv'));
  assert.ok(tracks.length >= 8, `tracks of both attempts kept: ${tracks.length}`);
  for (const track of tracks) {
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path.join(dir, track)]);
    assert.ok(/vp8|opus/.test(stdout), `${track} is readable (${stdout.trim()})`);
  }
  const gap = Number(/about ([\d.]+) s of media is missing/.exec(ready.note ?? '')?.[1] ?? NaN);
  assert.ok(gap >= 0 && gap < 15, `the note says how long the gap is: ${ready.note}`);
  await checkComposed(ctx, ready, secondsInRoom, 'resumed', Math.ceil(gap) + 1);
});

rec('GET one recording; DELETE is refused (409) while it records, then removes the finished recording and its files', async (ctx) => {
  const srv = ctx.srv!;
  const get = (id: string) => fetch(`${srv.url}/api/recordings/${id}`, { headers: admin(srv) });
  const del = (id: string) => fetch(`${srv.url}/api/recordings/${id}`, { method: 'DELETE', headers: admin(srv) });
  const code = async (res: Response) => `${res.status} ${((await res.json()) as { error?: { code: string } }).error?.code}`;
  const target = await shortRecording(ctx, 'Disposable', 3, async (running) => {
    const res = await get(running.id);
    assert.is(res.status, 200);
    assert.is(((await res.json()) as RecordingInfo).status, 'recording');
    assert.is(await code(await del(running.id)), '409 CONFLICT', 'not while recording');
    assert.is((await get(running.id)).status, 200, 'still there');
  });
  const one = await get(target.id);
  assert.is(one.status, 200);
  assert.equal(await one.json(), target, 'GET /api/recordings/:id is the listed recording');
  assert.ok(fs.existsSync(path.join(srv.server.config.recordingsDir, target.id)));
  const res = await del(target.id);
  assert.is(res.status, 204);
  assert.not.ok(fs.existsSync(path.join(srv.server.config.recordingsDir, target.id)));
  assert.is(await code(await get(target.id)), '404 NOT_FOUND');
  assert.is((await fetch(`${srv.url}/api/recordings/${target.id}/file`, { headers: admin(srv) })).status, 404);
  assert.equal(await listRecordings(srv, target.roomId), [], 'gone from the room\'s list');
});

exitAfterRun(rec);
