import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createLogger, loadConfig } from '@nomades/server';
import { WebhookDispatcher, type RetryScheduler } from '../../server/src/webhooks/WebhookDispatcher.js';
import { SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * HOOK-1…4: room and participant events are POSTed to a real HTTP receiver on 127.0.0.1, signed
 * with HMAC-SHA256, retried with backoff when the receiver fails, from a bounded queue.
 * These servers have no Redis: the queue is the one in memory (HOOK-4). The Redis queue, the
 * recording events and the dead letters are tested in webhookDelivery.wrtc.test.ts.
 */
const SECRET = 'webhook-secret-for-tests-0123456789';

interface Delivery {
  type: string;
  id: string;
  data: Record<string, unknown>;
  signatureOk: boolean;
  attempt: number;
}

/** A portal stand-in: verifies signatures, fails the first `failFirst` attempts of every event with 503. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  readonly attempts = new Map<string, number>();
  failFirst = 0;
  readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const header = String(req.headers['x-nomades-signature'] ?? '');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      const expected = m ? crypto.createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest('hex') : '';
      const signatureOk = Boolean(m) && crypto.timingSafeEqual(Buffer.from(m![2]), Buffer.from(expected)) && Math.abs(Date.now() / 1000 - Number(m![1])) < 300;
      const envelope = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };
      const attempt = (this.attempts.get(envelope.id) ?? 0) + 1;
      this.attempts.set(envelope.id, attempt);
      if (attempt <= this.failFirst) {
        res.writeHead(503).end();
        return;
      }
      this.deliveries.push({ type: envelope.type, id: envelope.id, data: envelope.data, signatureOk, attempt });
      res.writeHead(204).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const hooks = suite<{ srv?: TestServer; receiver: Receiver }>('webhooks', { receiver: new Receiver() });

hooks.before(async (ctx) => {
  const url = await ctx.receiver.listen();
  ctx.srv = await startTestServer({ WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET });
});
hooks.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.receiver.close();
});

hooks('HOOK-1, HOOK-2: a meeting sends room.started, participant.joined/left and room.ended, signed, in order', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Council' });
  const a = await SigPeer.join(srv, id, 'Ada', 'host');
  const b = await SigPeer.join(srv, id, 'Bob');
  await request(b.socket, 'leave', {});
  a.close();
  const mine = () => ctx.receiver.deliveries.filter((d) => d.data.roomId === id);
  await waitFor('six events', () => mine().length === 6, 10_000);
  assert.equal(mine().map((d) => d.type), ['room.started', 'participant.joined', 'participant.joined', 'participant.left', 'participant.left', 'room.ended']);
  assert.ok(mine().every((d) => d.signatureOk), 'every signature verifies');
  const joined = mine()[1].data;
  assert.is(joined.displayName, 'Ada');
  assert.is(joined.role, 'host');
  assert.is(joined.peerId, a.peerId);
  assert.is(mine()[0].data.name, 'Council');
  assert.type(mine()[5].data.durationMs, 'number');
});

hooks('HOOK-3: the server\'s own events reach a receiver that fails each first attempt, one at a time, in order', async (ctx) => {
  const srv = ctx.srv!;
  ctx.receiver.failFirst = 1;
  try {
    const { id } = await srv.createRoom({ name: 'Flaky portal' });
    const a = await SigPeer.join(srv, id, 'Ada');
    const mine = () => ctx.receiver.deliveries.filter((d) => d.data.roomId === id);
    await waitFor('room.started and participant.joined delivered', () => mine().length === 2, 10_000);
    assert.equal(mine().map((d) => `${d.type}#${d.attempt}`), ['room.started#2', 'participant.joined#2'], 'each accepted on its second attempt, in order');
    assert.ok(mine().every((d) => d.signatureOk), 'a retried delivery is signed too');
    a.close();
    await waitFor('participant.left and room.ended delivered', () => mine().length === 4, 10_000);
  } finally {
    ctx.receiver.failFirst = 0;
  }
});

/** A retry scheduler the test drives: records each backoff wait; the wait ends only when the test runs it. */
function manualScheduler(): { waits: Array<{ delayMs: number; run: () => void }>; schedule: RetryScheduler } {
  const waits: Array<{ delayMs: number; run: () => void }> = [];
  return { waits, schedule: (run, delayMs) => (waits.push({ delayMs, run }), () => {}) };
}

hooks('HOOK-3: backoff doubles from 0.5 s (driven by an injected scheduler); nothing is resent before the wait ends; attempt 3 is accepted', async () => {
  const receiver = new Receiver();
  receiver.failFirst = 2;
  const url = await receiver.listen();
  const { waits, schedule } = manualScheduler();
  const d = new WebhookDispatcher({ url, secret: SECRET }, createLogger('silent'), schedule);
  const attempts = () => [...receiver.attempts.values()].reduce((a, b) => a + b, 0);
  try {
    d.emit('room.started', { roomId: 'r1', name: 'x', mode: 'meeting', startedAt: new Date().toISOString() });
    await waitFor('attempt 1 refused, a retry scheduled', () => waits.length === 1);
    // The dispatcher waits on the scheduler: no second attempt has been made.
    assert.is(attempts(), 1);
    assert.is(waits[0].delayMs, 500);
    waits[0].run();
    await waitFor('attempt 2 refused, the next retry scheduled', () => waits.length === 2);
    assert.is(attempts(), 2);
    assert.is(waits[1].delayMs, 1000);
    waits[1].run();
    const delivered = await waitFor('attempt 3 accepted', () => receiver.deliveries[0]);
    assert.is(delivered.attempt, 3);
    assert.ok(delivered.signatureOk);
    assert.equal(delivered.data.roomId, 'r1');
    await waitFor('counted as delivered', () => d.delivered === 1);
    assert.is(waits.length, 2, 'no wait after the accepted attempt');
    assert.is(d.queued, 0);
  } finally {
    d.close();
    await receiver.close();
  }

  // The delay is capped by maxDelayMs; after maxAttempts the event is given up.
  const capped = manualScheduler();
  const down = new Receiver();
  down.failFirst = Number.POSITIVE_INFINITY;
  const c = new WebhookDispatcher({ url: await down.listen(), secret: SECRET, maxAttempts: 5, maxDelayMs: 1500 }, createLogger('silent'), capped.schedule);
  try {
    c.emit('room.started', { roomId: 'r2', name: 'x', mode: 'meeting', startedAt: new Date().toISOString() });
    for (let i = 1; i < 5; i++) {
      await waitFor(`wait ${i} scheduled`, () => capped.waits.length === i);
      capped.waits[i - 1].run();
    }
    await waitFor('given up after 5 attempts', () => c.failed === 1);
    assert.equal(capped.waits.map((w) => w.delayMs), [500, 1000, 1500, 1500]);
    assert.is([...down.attempts.values()][0], 5);
    assert.is(c.delivered, 0);
  } finally {
    c.close();
    await down.close();
  }
});

hooks('HOOK-3, HOOK-4: a receiver that is down: bounded queue (oldest dropped), given up after maxAttempts; WEBHOOK_URL needs WEBHOOK_SECRET', async () => {
  const log = createLogger('silent');
  // A port nobody listens on: connection refused.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const d = new WebhookDispatcher({ url: `http://127.0.0.1:${port}/`, secret: SECRET, maxQueue: 3, maxAttempts: 2, baseDelayMs: 50 }, log);
  for (let i = 0; i < 5; i++) d.emit('room.started', { roomId: `r${i}`, name: 'x', mode: 'meeting', startedAt: new Date().toISOString() });
  assert.ok(d.queued <= 3, 'the queue is bounded');
  assert.ok(d.dropped >= 2, 'the oldest were dropped');
  await waitFor('every event given up', () => d.queued === 0, 5_000);
  assert.is(d.delivered, 0);
  assert.is(d.failed, 5 - d.dropped);
  d.close();
  d.emit('room.started', { roomId: 'late', name: 'x', mode: 'meeting', startedAt: '' });
  assert.is(d.queued, 0, 'nothing is queued after close');
  // Without WEBHOOK_URL nothing is sent.
  const off = new WebhookDispatcher({}, log);
  off.emit('room.started', { roomId: 'r', name: 'x', mode: 'meeting', startedAt: '' });
  assert.is(off.queued, 0);
  assert.is(off.enabled, false);
  assert.throws(() => loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:9/' }), (e: unknown) => e instanceof ConfigError && /WEBHOOK_SECRET/.test(String(e)));
});

hooks.run();
