import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  verifyWebhookSignature,
  webhookDeadLettersSchema,
  type WebhookEnvelope,
} from '@nomades/shared';
import { Redis } from 'ioredis';
import { createLogger } from '@nomades/server';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { WebhookQueue } from '../../server/src/webhooks/WebhookQueue.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, SigPeer } from '../helpers/moderationHelpers.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Webhooks that are not lost (HOOK-3, HOOK-5, HOOK-6) and recording retention (RET-1), with a real
 * server on a redis-server of the test's own (kept across the server's restart), the real
 * recorder (BullMQ + ffmpeg), WebRTC bots and a receiver on 127.0.0.1 that checks each signature
 * with the shared verifyWebhookSignature:
 *  - a real recording sends `recording.ready` (signed; its download path serves the file);
 *  - retention deletes that recording once its time is moved back in the store (file, row,
 *    `recording.deleted`); a fresh one is kept;
 *  - a delivery refused with 400 is a dead letter, listed, and delivered once retried;
 *  - a delivery the receiver refuses (503) until the server has stopped is delivered by the
 *    restarted server (the job waited in Redis).
 */
const SECRET = 'webhook-secret-for-tests-0123456789';
const DAY = 24 * 60 * 60 * 1000;

type Ctx = { srv?: TestServer; redis?: LocalRedis; dir?: string; env?: Record<string, string>; receiver: WebhookReceiver; bots: WrtcBot[]; recordingId?: string };
const hooks = suite<Ctx>('webhook delivery', { receiver: new WebhookReceiver(SECRET), bots: [] });

hooks.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-hooks-'));
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis') });
  ctx.env = {
    REDIS_URL: ctx.redis.url,
    WEBHOOK_URL: await ctx.receiver.listen(),
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '1000',
    WEBHOOK_MAX_ATTEMPTS: '100',
    RECORDING_RETENTION_DAYS: '30',
  };
  ctx.srv = await startTestServer(ctx.env, { dataDir: path.join(ctx.dir, 'data') });
  if (!(await ctx.srv.server.recording.recorderReady(30_000))) throw new Error('the recorder did not connect to the queue');
});
hooks.after.each((ctx) => {
  for (const b of ctx.bots.splice(0)) b.close();
});
hooks.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.redis?.close();
  await ctx.receiver.close();
  if (ctx.dir) fs.rmSync(ctx.dir, { recursive: true, force: true });
});

const deliveries = async (srv: TestServer, result: string): Promise<number> =>
  (await srv.server.metrics.webhookDeliveries.get()).values.find((v) => v.labels.result === result)?.value ?? 0;

hooks('HOOK-5: a real recording sends recording.ready, signed, with its id, room, duration and download path', async (ctx) => {
  const srv = ctx.srv!;
  const deliveredBefore = await deliveries(srv, 'delivered');
  const { id: roomId } = await srv.createRoom({ name: 'Recorded council', record: true });
  const bot = new WrtcBot('Speaker');
  ctx.bots.push(bot);
  await bot.join(srv.url, roomId, await srv.mintToken(roomId, 'Speaker'));
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, roomId)).filter((r) => r.status === 'recording'), 15_000);
  const dir = path.join(srv.server.config.recordingsDir, running.id);
  const written = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.mkv')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) : 0);
  await waitFor('some media written', () => written() > 64 * 1024, 30_000);
  await bot.leave();
  const ready = await waitRecordingReady(srv, roomId, 90_000);
  const hook = await waitFor('recording.ready delivered', () => ctx.receiver.accepted((e) => e.type === 'recording.ready' && e.data.recordingId === ready.id), 15_000);
  assert.ok(hook.signatureOk, 'the signature verifies');
  assert.is((await verifyWebhookSignature('another-secret-0123456789', hook.header, hook.body)).ok, false, 'not with another secret');
  assert.is((await verifyWebhookSignature(SECRET, hook.header, hook.body.replace(roomId, 'x'))).ok, false, 'not for another body');
  assert.equal(hook.envelope.data, {
    roomId,
    recordingId: ready.id,
    startedAt: ready.startedAt,
    endedAt: ready.endedAt,
    durationMs: ready.durationMs,
    sizeBytes: ready.sizeBytes,
    downloadPath: `/api/recordings/${ready.id}/file`,
  });
  assert.ok(ready.durationMs > 0 && ready.sizeBytes > 0);
  const file = await fetch(`${srv.url}${(hook.envelope.data as { downloadPath: string }).downloadPath}`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  assert.is(file.status, 200);
  assert.is(file.headers.get('content-type'), 'video/mp4');
  assert.is((await file.arrayBuffer()).byteLength, ready.sizeBytes);
  assert.ok((await deliveries(srv, 'delivered')) > deliveredBefore, 'nomades_webhook_deliveries_total{result="delivered"} counts it');
  ctx.recordingId = ready.id;
});

hooks('RET-1: a recording older than RECORDING_RETENTION_DAYS is deleted, file and row, with recording.deleted; a fresh one is kept', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.recordingId!;
  const dir = path.join(srv.server.config.recordingsDir, id);
  assert.ok(fs.existsSync(path.join(dir, `${id}.mp4`)), 'the file is there');
  assert.equal((await srv.server.retention.sweep()).recordingsDeleted, [], 'fresh: kept');
  assert.ok(fs.existsSync(dir));
  // Its time moved back in the store: it ended 31 days ago.
  await srv.server.recording.store.update(id, { endedAt: new Date(Date.now() - 31 * DAY).toISOString() });
  assert.equal((await srv.server.retention.sweep()).recordingsDeleted, [id]);
  assert.not.ok(fs.existsSync(dir), 'its folder (file and tracks) is gone');
  assert.is(await srv.server.recording.store.get(id), undefined, 'its row is gone');
  const gone = await admin(srv, 'GET', `/api/recordings/${id}`);
  assert.equal([gone.status, gone.code], [404, 'NOT_FOUND']);
  const hook = await waitFor('recording.deleted delivered', () => ctx.receiver.accepted((e) => e.type === 'recording.deleted' && e.data.recordingId === id), 15_000);
  assert.ok(hook.signatureOk);
  assert.is((hook.envelope.data as { reason: string }).reason, 'retention');
});

hooks('HOOK-6: a delivery refused with 400 is a dead letter (listed), delivered once retried; exact refusals', async (ctx) => {
  const srv = ctx.srv!;
  const failedBefore = await deliveries(srv, 'failed');
  const { id: roomId } = await srv.createRoom({ name: 'Refusing portal' });
  ctx.receiver.policy = (e) => ((e.data as { roomId?: string }).roomId === roomId && e.type === 'room.started' ? 400 : 204);
  const ada = await SigPeer.join(srv, roomId, 'Ada');
  try {
    const refused = await waitFor('room.started refused', () => ctx.receiver.attempts.find((a) => a.status === 400 && (a.envelope.data as { roomId: string }).roomId === roomId));
    const listed = await waitFor('the dead letter listed', async () => {
      const res = await admin(srv, 'GET', '/api/webhooks/dead-letters');
      return webhookDeadLettersSchema.parse(res.json).deadLetters.find((d) => d.event.id === refused.envelope.id);
    });
    assert.equal([listed.event.type, listed.attempts, listed.error, listed.endpoint], ['room.started', 1, 'HTTP 400', ctx.env!.WEBHOOK_URL]);
    assert.is(ctx.receiver.attempts.filter((a) => a.envelope.id === refused.envelope.id).length, 1, 'a 400 is not retried');
    assert.ok((await deliveries(srv, 'failed')) > failedBefore, 'counted as failed');

    const unauthenticated = await fetch(`${srv.url}/api/webhooks/dead-letters`);
    assert.is(unauthenticated.status, 401);
    assert.is((await admin(srv, 'POST', '/api/webhooks/dead-letters/no-such-delivery/retry')).code, 'NOT_FOUND');

    ctx.receiver.policy = () => 204;
    const retried = await admin(srv, 'POST', `/api/webhooks/dead-letters/${listed.id}/retry`);
    assert.is(retried.status, 204);
    const delivered = await waitFor('delivered after the retry', () => ctx.receiver.accepted((e) => e.id === refused.envelope.id), 15_000);
    assert.ok(delivered.signatureOk);
    const after = webhookDeadLettersSchema.parse((await admin(srv, 'GET', '/api/webhooks/dead-letters')).json);
    assert.not.ok(after.deadLetters.some((d) => d.id === listed.id), 'no longer a dead letter');
    assert.is((await admin(srv, 'POST', `/api/webhooks/dead-letters/${listed.id}/retry`)).code, 'NOT_FOUND', 'a delivered job is not a dead letter');
  } finally {
    ctx.receiver.policy = () => 204;
    ada.close();
  }
});

hooks('HOOK-3: a delivery still pending when the server stops is delivered by the restarted server', async (ctx) => {
  const { id: roomId } = await ctx.srv!.createRoom({ name: 'Restarted' });
  const ofRoom = (e: WebhookEnvelope) => (e.data as { roomId?: string }).roomId === roomId;
  // Refused (503: retried) for as long as the first server runs.
  ctx.receiver.policy = (e) => (ofRoom(e) ? 503 : 204);
  const ada = await SigPeer.join(ctx.srv!, roomId, 'Ada');
  const refused = await waitFor('room.started refused once', () => ctx.receiver.attempts.find((a) => a.status === 503 && a.envelope.type === 'room.started' && ofRoom(a.envelope)));
  ada.close();
  await ctx.srv!.close();
  assert.not.ok(ctx.receiver.accepted(ofRoom), 'nothing of the room accepted yet');
  // From now on the receiver accepts: whatever it accepts, the restarted server sent.
  ctx.receiver.policy = () => 204;
  ctx.srv = await startTestServer(ctx.env, { dataDir: path.join(ctx.dir!, 'data') });
  const delivered = await waitFor('room.started delivered after the restart', () => ctx.receiver.accepted((e) => e.id === refused.envelope.id), 30_000);
  assert.ok(delivered.signatureOk);
  assert.equal(delivered.envelope, refused.envelope, 'the same event (id, time, data)');
  // The other events of that meeting, emitted while the receiver refused, arrive too.
  await waitFor('participant.joined, participant.left and room.ended of the room', () =>
    ['participant.joined', 'participant.left', 'room.ended'].every((type) => ctx.receiver.accepted((e) => e.type === type && ofRoom(e))), 30_000);
});

hooks('HOOK-3, HOOK-6: after its last attempt (503 each time) a delivery is a dead letter with its attempts and error', async (ctx) => {
  const srv = ctx.srv!;
  // A second worker on the same queue, with 3 attempts and short delays (the server's keeps its own settings).
  const connection = new Redis(ctx.redis!.url, { maxRetriesPerRequest: null });
  const queue = new WebhookQueue(
    { url: ctx.env!.WEBHOOK_URL, secret: SECRET, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, connection },
    createLogger('silent'),
  );
  ctx.receiver.policy = (e) => ((e.data as { roomId?: string }).roomId === 'exhausted' ? 503 : 204);
  try {
    queue.emit('room.started', { roomId: 'exhausted', name: 'x', mode: 'meeting', startedAt: new Date().toISOString() });
    const attempts = () => ctx.receiver.attempts.filter((a) => (a.envelope.data as { roomId?: string }).roomId === 'exhausted');
    const letter = await waitFor('the dead letter', async () => {
      const res = await admin(srv, 'GET', '/api/webhooks/dead-letters');
      return webhookDeadLettersSchema.parse(res.json).deadLetters.find((d) => d.event.id === attempts()[0]?.envelope.id);
    }, 30_000);
    assert.equal([letter.attempts, letter.error], [3, 'HTTP 503']);
    assert.is(attempts().length, 3, 'three attempts, no fourth');
    assert.ok(attempts().every((a) => a.signatureOk));
    assert.ok(letter.failedAt && Date.parse(letter.failedAt) > 0);
    // Forgotten on request.
    assert.is((await admin(srv, 'DELETE', `/api/webhooks/dead-letters/${letter.id}`)).status, 204);
    assert.is((await admin(srv, 'DELETE', `/api/webhooks/dead-letters/${letter.id}`)).code, 'NOT_FOUND');
  } finally {
    ctx.receiver.policy = () => 204;
    await queue.close();
    connection.disconnect();
  }
});

exitAfterRun(hooks);
