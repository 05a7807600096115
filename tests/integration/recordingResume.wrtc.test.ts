import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { layout, type Cell } from '../../recorder/src/composePlan.js';
import { probeTrack } from '../../recorder/src/ffmpeg.js';
import type { ManifestData, TrackEntry } from '../../recorder/src/Manifest.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { TcpBlackhole } from '../helpers/TcpBlackhole.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

const exec = promisify(execFile);

/**
 * Issue 11, recording: a participant who reconnects during a recorded session keeps one place in
 * the composed file. Real parts: redis-server, the recorder as its own process, WrtcBots (Ada's
 * signaling through a TcpBlackhole that cuts it without a close, her media straight to the SFU),
 * ffprobe/ffmpeg reading the manifest's tracks and the composed MP4's picture.
 *
 * - A resume within the grace period (SIG-13) keeps her producers: one track per source of hers
 *   in the manifest, her tile live for the whole session, two tiles in all.
 * - A full rejoin after the grace period (new peer, new producers, same identity): her new tracks
 *   go into her same tile (the composer lays out one tile per identity): two tiles in all, hers
 *   dark between her removal and her return.
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[]; holes: TcpBlackhole[] };
const rec = suite<Ctx>('recordingResume', { bots: [], holes: [] });

rec.after.each(async (ctx) => {
  for (const b of ctx.bots.splice(0)) b.close();
  for (const h of ctx.holes.splice(0)) h.close();
  await ctx.srv?.close();
  ctx.srv = undefined;
});

async function server(ctx: Ctx, graceMs: number): Promise<TestServer> {
  ctx.srv = await startTestServer({ RESUME_GRACE_MS: String(graceMs) }, { recording: {} });
  return ctx.srv;
}

/** A token for a fixed identity (`identity` of POST /api/rooms/:id/tokens): a rejoin presents the same person. */
async function tokenFor(srv: TestServer, roomId: string, name: string, identity: string): Promise<string> {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${srv.adminKey}` },
    body: JSON.stringify({ name, identity }),
  });
  assert.is(res.status, 200, `token for ${identity}`);
  return ((await res.json()) as { token: string }).token;
}

async function bot(ctx: Ctx, url: string, roomId: string, name: string, token: string): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  ctx.bots.push(b);
  await b.join(url, roomId, token);
  return b;
}

function manifest(srv: TestServer, recordingId: string): ManifestData | undefined {
  const file = path.join(srv.server.config.recordingsDir, recordingId, 'manifest.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestData) : undefined;
}

/** The running recording of the room, once the recorder has written a track of `peerId`'s camera. */
async function capturing(srv: TestServer, roomId: string, peerId: string): Promise<string> {
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, roomId)).filter((r) => r.status === 'recording'), 15_000);
  await waitFor(`the recorder captures ${peerId}'s camera`, () => manifest(srv, running.id)?.tracks.some((t) => t.peerId === peerId && t.source === 'camera'), 15_000);
  return running.id;
}

const video = (receiver: WrtcBot, sender: WrtcBot) =>
  waitFor(`${receiver.name} decodes ${sender.name}'s video`, () => receiver.tracksFrom(sender.peerId).find((t) => t.kind === 'video' && t.frames > 3), 15_000);

/** Per sampled frame (4 per second) of `file`: time and luma range (YMAX − YMIN) inside `crop`. */
async function lumaRange(file: string, crop: Cell): Promise<Array<{ t: number; range: number }>> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-hide_banner', '-v', 'error', '-i', file, '-map', '0:v', '-vf', `fps=4,crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},signalstats,metadata=mode=print:file=-`, '-f', 'null', '-'],
    { maxBuffer: 1 << 26 },
  );
  const frames: Array<{ t: number; range: number; min?: number }> = [];
  for (const line of stdout.split('\n')) {
    const time = /pts_time:([\d.]+)/.exec(line);
    if (time) frames.push({ t: Number(time[1]), range: 0 });
    const min = /signalstats\.YMIN=(\d+)/.exec(line);
    if (min && frames.length) frames.at(-1)!.min = Number(min[1]);
    const max = /signalstats\.YMAX=(\d+)/.exec(line);
    if (max && frames.length) frames.at(-1)!.range = Number(max[1]) - (frames.at(-1)!.min ?? 0);
  }
  return frames.map(({ t, range }) => ({ t, range }));
}

/** The bots' picture is a gradient with a bright bar: a wide luma range. Black pad and the grey canvas are flat. */
const LIVE = 60;
const FLAT = 20;

/**
 * Regions of the composed 1280×720 picture for two camera tiles (the composer's `layout`): each
 * tile's middle (where its 320×240 picture is, scaled to fit), and the strips above and below the
 * picture inside the tile (black pad), which a third tile would cover.
 */
function twoTiles(): { middle: Cell[]; pads: Cell[] } {
  const cells = [...layout([{ key: 'a', screen: false }, { key: 'b', screen: false }], 1280, 720).values()];
  const middle = cells.map((c) => ({ x: c.x + c.w / 4, y: c.y + c.h / 3, w: c.w / 2, h: c.h / 3 }));
  const pads = cells.flatMap((c) => {
    const pad = (c.h - (c.w * 3) / 4) / 2;
    return [
      { x: c.x + 8, y: c.y + 4, w: c.w - 16, h: pad - 8 },
      { x: c.x + 8, y: c.y + c.h - pad + 4, w: c.w - 16, h: pad - 8 },
    ];
  });
  return { middle, pads };
}

async function composed(srv: TestServer, recordingId: string): Promise<{ file: string; duration: number; videoStreams: number }> {
  const file = path.join(srv.server.config.recordingsDir, recordingId, `${recordingId}.mp4`);
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file]);
  const p = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
  return { file, duration: Number(p.format.duration), videoStreams: p.streams.filter((s) => s.codec_type === 'video').length };
}

/** Tracks' absolute first and last timestamps, and the composed file's origin (the earliest first timestamp). */
async function spans(srv: TestServer, recordingId: string, tracks: TrackEntry[]) {
  const dir = path.join(srv.server.config.recordingsDir, recordingId);
  const probes = await Promise.all(tracks.map(async (t) => ({ t, p: (await probeTrack(path.join(dir, t.file)))! })));
  const origin = Math.min(...probes.map(({ p }) => p.start));
  return probes.map(({ t, p }) => ({ track: t, start: p.start - origin, end: p.end - origin }));
}

const bySource = (tracks: TrackEntry[], peerId: string) =>
  tracks
    .filter((t) => t.peerId === peerId)
    .map((t) => t.source)
    .sort();

rec('a resume within the grace period: one track per source of hers, one tile live the whole session, two tiles in all (SIG-13)', async (ctx) => {
  const srv = await server(ctx, 30_000);
  const { id } = await srv.createRoom({ name: 'Resume', record: true });
  const hole = await TcpBlackhole.start(srv.url);
  ctx.holes.push(hole);
  const t0 = Date.now();
  const ada = await bot(ctx, hole.url, id, 'Ada', await srv.mintToken(id, 'Ada'));
  const recordingId = await capturing(srv, id, ada.peerId);
  const bob = await bot(ctx, srv.url, id, 'Bob', await srv.mintToken(id, 'Bob'));
  await video(bob, ada);
  await sleep(3000);

  hole.cut();
  await waitFor('Bob is told Ada is reconnecting (the server detached her)', () => bob.reconnecting.has(ada.peerId), 20_000);
  const answer = await ada.resume(srv.url);
  assert.is(answer.peerId, ada.peerId, 'resumed as the same participant');
  await waitFor('Bob is told Ada is back', () => !bob.reconnecting.has(ada.peerId), 5_000);
  await sleep(4000);
  await ada.leave();
  await bob.leave();
  const seconds = (Date.now() - t0) / 1000;
  const ready = await waitRecordingReady(srv, id, 90_000);
  assert.is(ready.id, recordingId, 'one recording for the session');

  const { tracks } = manifest(srv, ready.id)!;
  assert.equal(bySource(tracks, ada.peerId), ['camera', 'microphone'], "one track per source of Ada's, not two");
  assert.equal(bySource(tracks, bob.peerId), ['camera', 'microphone']);
  assert.is(tracks.length, 4, `no other track: ${tracks.map((t) => `${t.peerId}/${t.source}`)}`);

  const file = await composed(srv, ready.id);
  assert.is(file.videoStreams, 1, 'one composed picture');
  assert.ok(Math.abs(file.duration - seconds) <= 2, `the file covers the session: ${file.duration.toFixed(2)} s vs ${seconds.toFixed(2)} s`);
  // Her camera starts within a moment of the file (its first key frame) and runs to its end.
  const adaCamera = (await spans(srv, ready.id, tracks)).find((s) => s.track.peerId === ada.peerId && s.track.source === 'camera')!;
  assert.ok(adaCamera.start <= 2.5 && adaCamera.end >= file.duration - 1.5, `Ada's camera track spans the session: ${adaCamera.start.toFixed(2)}…${adaCamera.end.toFixed(2)} of ${file.duration.toFixed(2)} s`);

  // Ada joined first: hers is the first tile. Live from start to end, across the cut and the resume.
  const tiles = twoTiles();
  const adaTile = await lumaRange(file.file, tiles.middle[0]);
  const live = adaTile.filter((f) => f.range > LIVE).length;
  assert.ok(live >= adaTile.length * 0.9, `Ada's tile is live for the session: ${live} of ${adaTile.length} samples`);
  for (const pad of tiles.pads) {
    const covered = (await lumaRange(file.file, pad)).filter((f) => f.range > FLAT);
    assert.equal(covered.map((f) => f.t), [], `no third tile (pad ${JSON.stringify(pad)} stays flat)`);
  }
});

rec('a full rejoin after the grace period: the same identity keeps its tile, dark while she was away; two tiles in all', async (ctx) => {
  const srv = await server(ctx, 1000);
  const { id } = await srv.createRoom({ name: 'Rejoin', record: true });
  const hole = await TcpBlackhole.start(srv.url);
  ctx.holes.push(hole);
  const adaToken = await tokenFor(srv, id, 'Ada', 'ada-lovelace');
  const t0 = Date.now();
  const ada = await bot(ctx, hole.url, id, 'Ada', adaToken);
  const recordingId = await capturing(srv, id, ada.peerId);
  const bob = await bot(ctx, srv.url, id, 'Bob', await srv.mintToken(id, 'Bob'));
  await video(bob, ada);
  await sleep(3000);

  hole.cut();
  await waitFor('the server removed Ada once the grace period was over', () => bob.left.includes(ada.peerId), 20_000);
  ada.close();
  // Away for a while: a gap in her tile that the picture shows.
  await sleep(3000);
  const again = await bot(ctx, srv.url, id, 'Ada', adaToken);
  assert.is.not(again.peerId, ada.peerId, 'a new participant session');
  await video(bob, again);
  // Her second stretch is measured in the file: it starts once the recorder captures her new camera.
  await capturing(srv, id, again.peerId);
  await sleep(4000);
  await again.leave();
  await bob.leave();
  const seconds = (Date.now() - t0) / 1000;
  const ready = await waitRecordingReady(srv, id, 90_000);
  assert.is(ready.id, recordingId, 'one recording for the session');

  const { tracks } = manifest(srv, ready.id)!;
  assert.equal(bySource(tracks, ada.peerId), ['camera', 'microphone']);
  assert.equal(bySource(tracks, again.peerId), ['camera', 'microphone']);

  const file = await composed(srv, ready.id);
  assert.ok(Math.abs(file.duration - seconds) <= 2, `the file covers the session: ${file.duration.toFixed(2)} s vs ${seconds.toFixed(2)} s`);
  const timeline = await spans(srv, ready.id, tracks);
  const camera = (peerId: string) => timeline.find((s) => s.track.peerId === peerId && s.track.source === 'camera')!;
  const before = camera(ada.peerId);
  const after = camera(again.peerId);
  assert.ok(after.start - before.end >= 2, `a gap between her sessions: ${before.end.toFixed(2)} → ${after.start.toFixed(2)} s`);

  const tiles = twoTiles();
  for (const pad of tiles.pads) {
    const covered = (await lumaRange(file.file, pad)).filter((f) => f.range > FLAT);
    assert.equal(covered.map((f) => f.t), [], `no third tile: her return is not a new participant (pad ${JSON.stringify(pad)} stays flat)`);
  }
  // Her tile (the first: she joined first): live while she was there, flat (the canvas) while away.
  const adaTile = await lumaRange(file.file, tiles.middle[0]);
  const during = (from: number, to: number) => adaTile.filter((f) => f.t >= from && f.t <= to);
  const first = during(before.start + 0.5, before.end - 0.5);
  const gap = during(before.end + 0.5, after.start - 0.5);
  const second = during(after.start + 1, after.end - 0.5);
  assert.ok(first.length >= 8 && first.filter((f) => f.range > LIVE).length >= first.length * 0.9, `her first session in her tile: ${first.filter((f) => f.range > LIVE).length}/${first.length}`);
  assert.ok(gap.length >= 4, `samples in the gap: ${gap.length}`);
  assert.equal(gap.filter((f) => f.range > FLAT).map((f) => f.t), [], 'her tile is dark while she is away');
  assert.ok(second.length >= 8 && second.filter((f) => f.range > LIVE).length >= second.length * 0.9, `her return in the same tile: ${second.filter((f) => f.range > LIVE).length}/${second.length}`);
  const bobCamera = camera(bob.peerId);
  const bobTile = (await lumaRange(file.file, tiles.middle[1])).filter((f) => f.t >= bobCamera.start + 0.5 && f.t <= bobCamera.end - 0.5);
  assert.ok(bobTile.filter((f) => f.range > LIVE).length >= bobTile.length * 0.9, `Bob in the second tile: ${bobTile.filter((f) => f.range > LIVE).length}/${bobTile.length}`);
  // What the layout is keyed by: the identity the server passes along with each stream.
  assert.equal(
    [...new Set(tracks.filter((t) => t.peerId !== bob.peerId).map((t) => t.identity))],
    ['ada-lovelace'],
    "both sessions' tracks carry Ada's identity",
  );
  assert.is(new Set(tracks.map((t) => t.identity)).size, 2, 'two identities in the manifest');
});

exitAfterRun(rec);
