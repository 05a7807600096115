import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { createLogger } from '../../server/src/logging/logger.js';
import { SessionEndRelay } from '../../server/src/cluster/SessionEndRelay.js';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * AUTH-11/12 on several nodes (server/src/cluster/SessionEndRelay.ts) over a real Redis: the
 * sessions one node saw end reach the other nodes, not itself; another service's prefix and
 * malformed messages change nothing.
 */
const relay = suite<{ dir: string; redis?: LocalRedis; relays: SessionEndRelay[] }>('session end relay', { dir: '', relays: [] });
const log = createLogger('silent');

relay.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-relay-'));
  ctx.redis = await LocalRedis.start({ dir: path.join(ctx.dir, 'redis') });
});
relay.after(async (ctx) => {
  for (const r of ctx.relays) await r.close();
  await ctx.redis?.close();
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

async function node(ctx: { redis?: LocalRedis; relays: SessionEndRelay[] }, nodeId: string, prefix = 'nomades:cluster:') {
  const ended: string[][] = [];
  const r = await SessionEndRelay.start({ redisUrl: ctx.redis!.url, nodeId, prefix, log, onEnded: (sids) => ended.push([...sids]) });
  ctx.relays.push(r);
  return { relay: r, ended };
}

relay('AUTH-11: the sessions one node saw end reach every other node of the service, not itself nor another service', async (ctx) => {
  const a = await node(ctx, 'a');
  const b = await node(ctx, 'b');
  const c = await node(ctx, 'c');
  const other = await node(ctx, 'x', 'another:service:');
  a.relay.publish(['sid-1', 'sid-2']);
  await waitFor('b hears it', () => b.ended.length === 1);
  await waitFor('c hears it', () => c.ended.length === 1);
  assert.equal(b.ended, [['sid-1', 'sid-2']]);
  assert.equal(c.ended, [['sid-1', 'sid-2']]);
  // A barrier: b's next message reaches a after anything a would have heard of its own.
  b.relay.publish(['sid-3']);
  await waitFor('a hears b', () => a.ended.length === 1);
  assert.equal(a.ended, [['sid-3']], 'a node does not hear itself');
  assert.equal(other.ended, [], 'another prefix hears nothing');
});

relay('AUTH-11: malformed messages on the channel are ignored; a closed relay hears and sends nothing', async (ctx) => {
  const a = await node(ctx, 'a2');
  const b = await node(ctx, 'b2');
  const raw = new Redis(ctx.redis!.url);
  try {
    for (const bad of ['not json', '{}', JSON.stringify({ from: 'z', sids: [] }), JSON.stringify({ from: 'z', sids: ['x'.repeat(500)] }), JSON.stringify({ from: 'z', sids: ['ok'], extra: 1 })]) {
      await raw.publish('nomades:cluster:sessions-ended', bad);
    }
    await raw.publish('nomades:cluster:sessions-ended', JSON.stringify({ from: 'z', sids: ['good'] }));
    await waitFor('the good one arrives', () => b.ended.length === 1);
    assert.equal(b.ended, [['good']]);
    await b.relay.close();
    await b.relay.close(); // idempotent
    a.relay.publish(['after-close']);
    b.relay.publish(['from-closed']);
    await waitFor('a heard z', () => a.ended.length === 1);
    await raw.publish('nomades:cluster:sessions-ended', JSON.stringify({ from: 'z', sids: ['barrier'] }));
    await waitFor('a heard the barrier', () => a.ended.length === 2);
    assert.equal(a.ended, [['good'], ['barrier']], 'nothing from the closed relay');
    assert.equal(b.ended, [['good']], 'nothing after close');
  } finally {
    raw.disconnect();
  }
});

relay.run();
