import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INTERNAL_RECORDINGS_PATH, RECORDING_QUEUE, recordingLayout, recordingQueuePrefix, type RecordingInfo } from '@nomades/shared';
import { Cluster } from '../helpers/Cluster.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { RequestError } from '../helpers/signalingClient.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

const exec = promisify(execFile);

/**
 * NODE-REC-1 (recorder/README.md): a recorded meeting whose node is SIGKILLed. Two nodes with
 * their own recorder process and queue, one PostgreSQL, one Redis, one RECORDINGS_DIR; two bots
 * publishing a tone and a moving picture record ~8 s, then the room's node is killed (its
 * recorder and ffmpegs with it, the whole process group). The survivor takes the recording over
 * and composes what was captured (ready, about the time recorded); the bots join again on the
 * survivor, where a new recording starts, linked to the first, and is ready once they leave.
 */
interface Ctx {
  setupError?: unknown;
  /** The first test's second recording (recorded and composed on the survivor). */
  elsewhere?: string;
  cluster?: Cluster;
  bots: WrtcBot[];
}
const s = suite<Ctx>('several nodes: a recording whose node dies', { bots: [] });

s.before(async (ctx) => {
  try {
    // A short segment (COMP-6) so that the dead recorder had composed windows (and left one half done).
    ctx.cluster = await Cluster.start(2, (root) => ({ RECORDER: 'process', RECORDINGS_DIR: path.join(root, 'recordings'), RECORDER_SEGMENT_S: '5' }));
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
s.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
s.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.cluster?.close();
});

/** A publishing bot on the room's node: tried on `url`, then where a WRONG_NODE refusal points (NODE-5). */
async function joinBot(ctx: Ctx, roomId: string, name: string, url: string, hops = 2): Promise<WrtcBot> {
  const cluster = ctx.cluster!;
  const token = await cluster.mintToken(roomId, name);
  for (let hop = 0; ; hop++) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    try {
      await bot.join(url, roomId, token);
      return bot;
    } catch (error) {
      bot.close();
      if (hop < hops && error instanceof RequestError && error.error.code === 'WRONG_NODE') {
        url = String(error.error.params?.node);
        continue;
      }
      throw error;
    }
  }
}

async function recordings(cluster: Cluster, roomId: string): Promise<RecordingInfo[]> {
  const res = await cluster.admin('GET', `/api/rooms/${roomId}/recordings`);
  if (res.status !== 200) throw new Error(`GET recordings: ${res.status} ${await res.text()}`);
  return (await res.json()) as RecordingInfo[];
}

/** Waits for one recording to be ready (fails at once with its error if it failed). */
function ready(cluster: Cluster, roomId: string, id: string, timeoutMs: number): Promise<RecordingInfo> {
  return waitFor(`${id} ready`, async () => {
    const r = (await recordings(cluster, roomId)).find((x) => x.id === id);
    if (r?.status === 'failed') throw new Error(`${id} failed: ${r.error}\n${r.note ?? ''}`);
    return r?.status === 'ready' ? r : undefined;
  }, timeoutMs, 500);
}

async function probe(file: string): Promise<{ duration: number; streams: string[] }> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file]);
  const p = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
  return { duration: Number(p.format.duration), streams: p.streams.map((x) => x.codec_type).sort() };
}

s('the room\'s node is SIGKILLed mid-recording: a survivor composes what was captured; the meeting records on there, linked', async (ctx) => {
  const cluster = ctx.cluster!;
  const dir = path.join(cluster.root, 'recordings');
  const { id: roomId } = await cluster.createRoom({ name: 'Conseil enregistré', record: true });
  const [ada, grace] = [await joinBot(ctx, roomId, 'Ada', cluster.url(0)), await joinBot(ctx, roomId, 'Grace', cluster.url(0))];
  const joinedAt = Date.now();
  const home = await cluster.hostOf(roomId);
  const survivor = 1 - home;
  const [first] = await waitFor('the recording on the room\'s node', async () => (await recordings(cluster, roomId)).filter((r) => r.status === 'recording'), 15_000);
  assert.is(first.nodeId, `node${home}`, 'the recording remembers its node');
  // Recording for about 8 s of media, then the node dies with its recorder and ffmpegs.
  await waitFor('tracks captured', () => fs.readdirSync(path.join(dir, first.id)).filter((f) => f.endsWith('.mkv')).length >= 4, 15_000);
  await sleep(8_000 - (Date.now() - joinedAt));
  const killedAt = Date.now();
  await cluster.kill(home);
  for (const bot of [ada, grace]) bot.close();
  console.log(`[nodes-rec] node${home} SIGKILLed ${((killedAt - joinedAt) / 1000).toFixed(1)} s after the bots joined`);

  // The bots come back (new sockets): on the survivor, once the directory sees the room's node dead.
  const adaBack = await waitFor('Ada joins again on the survivor', async () => {
    try {
      return await joinBot(ctx, roomId, 'Ada', cluster.url(survivor), 0);
    } catch (error) {
      // WRONG_NODE naming the dead node: the directory has not seen it dead yet (NODE-5).
      if (error instanceof RequestError && ['WRONG_NODE', 'UNAVAILABLE'].includes(error.error.code)) return undefined;
      throw error;
    }
  }, 20_000, 400);
  const back = [adaBack, await joinBot(ctx, roomId, 'Grace', cluster.url(survivor), 0)];
  const rejoinedAt = Date.now();
  console.log(`[nodes-rec] bots joined again on node${survivor} ${((rejoinedAt - killedAt) / 1000).toFixed(1)} s after the kill`);
  assert.is(await cluster.hostOf(roomId), survivor);

  // The meeting records on, on the survivor: a new recording there (linked to the first below).
  const second = await waitFor('a new recording on the survivor', async () => (await recordings(cluster, roomId)).find((r) => r.id !== first.id && r.status === 'recording'), 15_000);
  assert.is(second.nodeId, `node${survivor}`);

  // Meanwhile the first recording: taken over by the survivor, composed from what was captured.
  const firstReady = await ready(cluster, roomId, first.id, 90_000);
  const composedAfter = (Date.now() - killedAt) / 1000;
  assert.is(firstReady.nodeId, `node${survivor}`, 'the survivor took it');
  const died = new RegExp(`node node${home} died at (\\S+) while the recording was recording; composed by node node${survivor}`).exec(firstReady.note ?? '');
  assert.ok(died, firstReady.note);
  const takenAfter = (Date.parse(died[1]) - killedAt) / 1000;
  const firstFile = await probe(recordingLayout.composed(dir, first.id));
  const recordedFor = (killedAt - joinedAt) / 1000;
  console.log(`[nodes-rec] ${first.id}: taken over ${takenAfter.toFixed(1)} s after the kill, ready ${composedAfter.toFixed(1)} s after it, ${firstFile.duration.toFixed(2)} s long (killed ${recordedFor.toFixed(1)} s after the join), ${(firstReady.sizeBytes / 1024).toFixed(0)} KiB`);
  assert.ok(takenAfter > 0 && takenAfter < 10, `taken over ${takenAfter} s after the kill`);
  assert.equal(firstFile.streams, ['audio', 'video']);
  // From the first packet (the recorder's start after the join: ~1-2 s) to the last before the kill.
  assert.ok(firstFile.duration > recordedFor - 4 && firstFile.duration < recordedFor + 0.5, `${firstFile.duration} s for ${recordedFor} s recorded`);
  // The file's container duration may run a frame or an AAC packet past the timeline's.
  assert.ok(Math.abs(firstFile.duration * 1000 - firstReady.durationMs) < 250, `reported ${firstReady.durationMs} ms, file ${firstFile.duration} s`);

  // At least 5 s on the survivor, then the bots leave: the second recording is composed there.
  await sleep(Math.max(0, 5_000 - (Date.now() - rejoinedAt)));
  const leftAt = Date.now();
  for (const bot of back) await bot.leave();
  const secondReady = await ready(cluster, roomId, second.id, 90_000);
  const secondFile = await probe(recordingLayout.composed(dir, second.id));
  const onSurvivor = (leftAt - rejoinedAt) / 1000;
  console.log(`[nodes-rec] ${second.id}: ready ${((Date.now() - leftAt) / 1000).toFixed(1)} s after the bots left, ${secondFile.duration.toFixed(2)} s long (the bots were on the survivor ${onSurvivor.toFixed(1)} s)`);
  assert.equal(secondFile.streams, ['audio', 'video']);
  const tracks = (JSON.parse(fs.readFileSync(recordingLayout.manifest(dir, second.id), 'utf8')) as { tracks: Array<{ file: string; openedAt: string; closedAt?: string; firstPts?: number }> }).tracks;
  const since = (t: number) => ((t - rejoinedAt) / 1000).toFixed(1);
  const timeline = tracks.map((t) => `${t.file}: opened ${since(Date.parse(t.openedAt))} s, first packet ${t.firstPts ? since(t.firstPts * 1000) : '?'} s, closed ${t.closedAt ? since(Date.parse(t.closedAt)) : '?'} s`).join('; ');
  console.log(`[nodes-rec] ${second.id}'s tracks (from the rejoin; the bots left at ${since(leftAt)} s): ${timeline}; note: ${secondReady.note}`);
  // From its first packet (a recorder starved of CPU starts its captures late) to the bots' leave.
  const firstPacket = Math.min(...tracks.map((t) => t.firstPts ?? Infinity)) * 1000;
  assert.ok(firstPacket - rejoinedAt < 10_000, `the first packet ${since(firstPacket)} s after the rejoin`);
  const expected = (leftAt - firstPacket) / 1000;
  assert.ok(secondFile.duration > expected - 1.5 && secondFile.duration < expected + 1, `${secondFile.duration} s for ${expected} s from the first packet to the leave`);
  assert.match(secondReady.note ?? '', `continues ${first.id} (node node${home} died at`);
  ctx.elsewhere = second.id;

  // The room's recordings, as an operator lists them: both, finished, linked.
  const listed = await recordings(cluster, roomId);
  assert.equal(listed.map((r) => [r.id, r.status]), [[first.id, 'ready'], [second.id, 'ready']]);
  assert.match(listed[0].note ?? '', `continued by ${second.id}`);
  const download = await cluster.admin('GET', `/api/recordings/${first.id}/file`);
  assert.is(download.status, 200, 'the first recording downloads from the survivor');
  await download.arrayBuffer();

  // The dead node's job is removed from its queue once its dead recorder's lock expired (10 s).
  const redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1 });
  try {
    const key = `${recordingQueuePrefix(`node${home}`)}:${RECORDING_QUEUE}:${first.id}`;
    await waitFor('the dead node\'s job removed', async () => (await redis.exists(key)) === 0, 45_000, 500);
    console.log(`[nodes-rec] the dead node's job removed from its queue ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill at the latest`);
  } finally {
    redis.disconnect();
  }
});

s('every node dies at once: a node started afterwards (under a new id) takes the recordings they left over', async (ctx) => {
  const cluster = ctx.cluster!;
  const dir = path.join(cluster.root, 'recordings');
  const alive = cluster.nodes.findIndex((n) => n !== undefined);
  assert.ok(alive >= 0, 'a node left from the first test');
  const { id: roomId } = await cluster.createRoom({ name: 'Tous tombés', record: true });
  const bot = await joinBot(ctx, roomId, 'Hedy', cluster.url(alive));
  const [orphan] = await waitFor('the recording', async () => (await recordings(cluster, roomId)).filter((r) => r.status === 'recording'), 15_000);
  assert.is(orphan.nodeId, `node${alive}`);
  await waitFor('tracks captured', () => fs.readdirSync(path.join(dir, orphan.id)).filter((f) => f.endsWith('.mkv')).length >= 2, 15_000);
  await sleep(4_000);
  const killedAt = Date.now();
  await cluster.kill(alive); // the last node: nobody sees it die
  bot.close();

  // A node replacing it under a new id (default NODE_IDs are new at every start): its start's sweep.
  await cluster.startNode(1 - alive, { NODE_ID: 'node-new' });
  console.log(`[nodes-rec] node-new up ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the last node was killed`);
  const done = await ready(cluster, roomId, orphan.id, 90_000);
  console.log(`[nodes-rec] ${orphan.id}: ready ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill, ${(done.durationMs / 1000).toFixed(2)} s long`);
  assert.is(done.nodeId, 'node-new');
  assert.match(done.note ?? '', `node node${alive} died at`);
  assert.match(done.note ?? '', 'composed by node node-new');
  const file = await probe(recordingLayout.composed(dir, orphan.id));
  assert.equal(file.streams, ['audio', 'video']);
  assert.ok(file.duration > 2, `${file.duration} s`);

  // A node's recorder hears `404` for a recording that is another node's (its old job resumed after
  // a takeover fails for good before it composes); its own recordings answer as before.
  const node = cluster.live();
  const { recorderKey } = JSON.parse(fs.readFileSync(path.join(node.dataDir, 'secrets.json'), 'utf8')) as { recorderKey: string };
  const streams = (id: string) => fetch(`${node.listenUrl}${INTERNAL_RECORDINGS_PATH}/${id}/streams`, { headers: { authorization: `Bearer ${recorderKey}` } });
  assert.is((await streams(orphan.id)).status, 200);
  const other = await streams(ctx.elsewhere!);
  assert.is(other.status, 404);
  assert.match(await other.text(), 'node node1\'s now');
});

exitAfterRun(s);
