import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RECORDING_QUEUE, recordingLayout, recordingQueuePrefix } from '@nomades/shared';
import { createLogger } from '../../server/src/logging/logger.js';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { RecordingLifecycle } from '../../server/src/recording/RecordingLifecycle.js';
import { RecordingTakeover } from '../../server/src/recording/RecordingTakeover.js';
import { Store } from '../../server/src/store/Store.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sleep } from '../helpers/waitFor.js';

/**
 * NODE-REC-2 (recorder/README.md), the decision alone: a real SQLite store, a real redis-server
 * and BullMQ queues, two nodes' RecordingTakeover (no recorder: the jobs are looked at, not run).
 * A survivor waits a grace before composing a recording its dead node left `recording`; the node
 * where the room reopens claims it meanwhile, and then it is continued, not composed; without a
 * claim it is composed after the grace; a recording left `processing` is composed at once; a
 * live node's recording is never claimed; closing ends the grace and leaves the recording alone.
 * The full path (recorders, ffmpeg, SIGKILL) is tests/integration/nodesRecording.wrtc.test.ts.
 */
interface Ctx {
  dir: string;
  redis?: LocalRedis;
  connection?: Redis;
  store?: Store;
  queues: Queue[];
  takeovers: RecordingTakeover[];
}
const s = suite<Ctx>('NODE-REC-2: a dead node\'s recording, continued or composed', { dir: '', queues: [], takeovers: [] });
const GRACE_MS = 1_500;
const log = createLogger('silent');

s.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-continue-'));
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis') });
  ctx.connection = new Redis(ctx.redis.url, { maxRetriesPerRequest: null });
  ctx.store = await Store.open({ dataDir: path.join(ctx.dir, 'data') });
});
s.after(async (ctx) => {
  for (const t of ctx.takeovers) t.close();
  for (const q of ctx.queues) await q.close().catch(() => undefined);
  ctx.connection?.disconnect();
  await ctx.store?.close();
  await ctx.redis?.close();
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

/** One node's takeover, with its own queue; `dead`: the nodes its directory lists as gone. */
function node(ctx: Ctx, nodeId: string, dead: string[]): { takeover: RecordingTakeover; queue: Queue; lifecycle: RecordingLifecycle } {
  const queue = new Queue(RECORDING_QUEUE, { connection: ctx.connection!, prefix: recordingQueuePrefix(nodeId) });
  ctx.queues.push(queue);
  const lifecycle = new RecordingLifecycle(ctx.store!.recordings, log, nodeId);
  const takeover = new RecordingTakeover({
    nodeId,
    lifecycle,
    queue,
    recordingsDir: path.join(ctx.dir, 'recordings'),
    controlUrl: () => `http://127.0.0.1:1/${nodeId}`,
    removeDeadJob: async () => true,
    goneNodes: async (ids) => ids.filter((id) => dead.includes(id)),
    graceMs: GRACE_MS,
    log,
  });
  ctx.takeovers.push(takeover);
  return { takeover, queue, lifecycle };
}

/** A recording `nodeId` was recording, with a manifest (something was captured). */
async function left(ctx: Ctx, id: string, roomId: string, nodeId: string): Promise<void> {
  await ctx.store!.recordings.create(id, roomId, new Date().toISOString(), nodeId);
  const dir = recordingLayout.dir(path.join(ctx.dir, 'recordings'), id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(recordingLayout.manifest(path.join(ctx.dir, 'recordings'), id), JSON.stringify({ recordingId: id, roomId, attempts: [], tracks: [] }));
}

s('the room reopens during the grace: the node it reopened on continues the recording; the survivor does not compose it', async (ctx) => {
  await left(ctx, 'rec_cont0000000000000001', 'salle-a', 'dead-a');
  const survivor = node(ctx, 'survivor-a', ['dead-a']);
  const reopened = node(ctx, 'reopened-a', ['dead-a']);
  const adopting = survivor.takeover.adoptFrom('dead-a');
  await sleep(300);
  assert.is((await ctx.store!.recordings.get('rec_cont0000000000000001'))?.nodeId, 'dead-a', 'not taken during the grace');
  const continued = await reopened.takeover.continueFor('salle-a');
  assert.is(continued?.id, 'rec_cont0000000000000001');
  assert.equal([continued?.status, continued?.nodeId], ['recording', 'reopened-a']);
  assert.match(continued?.note ?? '', 'continued by node reopened-a at');
  assert.is(await node(ctx, 'third-a', ['dead-a']).takeover.continueFor('salle-a'), undefined, 'claimed once');
  assert.equal(await adopting, [], 'the survivor takes nothing');
  assert.is(await survivor.queue.getJob('rec_cont0000000000000001'), undefined, 'and queues no composition');
  const row = await ctx.store!.recordings.get('rec_cont0000000000000001');
  assert.equal([row?.status, row?.nodeId], ['recording', 'reopened-a']);
});

s('the room does not reopen: composed by the survivor after the grace; a late claim gets nothing', async (ctx) => {
  await left(ctx, 'rec_cont0000000000000002', 'salle-b', 'dead-b');
  const survivor = node(ctx, 'survivor-b', ['dead-b']);
  const t0 = Date.now();
  assert.equal(await survivor.takeover.adoptFrom('dead-b'), ['rec_cont0000000000000002']);
  assert.ok(Date.now() - t0 >= GRACE_MS, 'after the grace');
  const row = await ctx.store!.recordings.get('rec_cont0000000000000002');
  assert.equal([row?.status, row?.nodeId], ['processing', 'survivor-b']);
  assert.match(row?.note ?? '', 'node dead-b died at');
  const job = await survivor.queue.getJob('rec_cont0000000000000002');
  assert.is(job?.data.mode, 'compose');
  assert.is(await node(ctx, 'late-b', ['dead-b']).takeover.continueFor('salle-b'), undefined, 'composed, not continued');
});

s('a recording left processing is composed at once; a live node\'s is never claimed; closing ends the grace', async (ctx) => {
  await left(ctx, 'rec_cont0000000000000003', 'salle-c', 'dead-c');
  await ctx.store!.recordings.update('rec_cont0000000000000003', { status: 'processing' });
  const t0 = Date.now();
  assert.equal(await node(ctx, 'survivor-c', ['dead-c']).takeover.adoptFrom('dead-c'), ['rec_cont0000000000000003']);
  assert.ok(Date.now() - t0 < GRACE_MS, `at once (${Date.now() - t0} ms)`);

  await left(ctx, 'rec_cont0000000000000004', 'salle-d', 'alive-d');
  assert.is(await node(ctx, 'other-d', []).takeover.continueFor('salle-d'), undefined, 'its node is alive (draining, or not dead yet)');
  assert.is((await ctx.store!.recordings.get('rec_cont0000000000000004'))?.nodeId, 'alive-d');

  await left(ctx, 'rec_cont0000000000000005', 'salle-e', 'dead-e');
  const closing = node(ctx, 'survivor-e', ['dead-e']);
  const adopting = closing.takeover.adoptFrom('dead-e');
  await sleep(200);
  const t1 = Date.now();
  closing.takeover.close();
  assert.equal(await adopting, []);
  assert.ok(Date.now() - t1 < 500, 'the grace ends with the node');
  assert.is((await ctx.store!.recordings.get('rec_cont0000000000000005'))?.nodeId, 'dead-e', 'left to the next node\'s start');
});

exitAfterRun(s);
