import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';
import type { TestServer } from '../helpers/testServer.js';
import { localMedia } from '../helpers/localMedia.js';

/**
 * PLACE-1…3 (docs/spec/media.md): with a worker limit of 4 consumers, a room of three publishers
 * spreads over two workers; media crosses between them through pipeToRouter; everyone receives
 * everyone; leaving cleans up on both sides.
 */
const spread = wrtcSuite('room over two workers', { MEDIA_WORKERS: '2', MEDIA_WORKER_MAX_CONSUMERS: '4' });

spread.after.each((ctx) => {
  for (const b of ctx.bots) b.close();
  ctx.bots = [];
});

const placementOf = (srv: TestServer, roomId: string, peerId: string) =>
  localMedia([...srv.server.registry.get(roomId)!.peers()].find((p) => p.id === peerId)!.media).placement!;
const workerOf = (srv: TestServer, roomId: string, peerId: string) => placementOf(srv, roomId, peerId).workerIndex;

/** Joins a bot named `name` to `roomId`; closed after the test. */
function joiner(ctx: WrtcSuiteContext, roomId: string): (name: string) => Promise<WrtcBot> {
  return async (name) => {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
    return bot;
  };
}

spread('a busy worker sends newcomers to the other one; media flows both ways', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const join = joiner(ctx, id);
  const a = await join('a');
  const b = await join('b');
  await waitFor('a and b receive each other', () => a.tracksFrom(b.peerId).length === 2 && b.tracksFrom(a.peerId).length === 2, 15_000);
  const first = workerOf(srv, id, a.peerId);
  assert.is(workerOf(srv, id, b.peerId), first, 'PLACE-1: b joins the room on its worker, not busy yet');
  assert.ok(srv.server.pool.isBusy(first), `4 consumers make worker ${first} busy`);

  const c = await join('c');
  const second = workerOf(srv, id, c.peerId);
  assert.is.not(second, first, 'PLACE-2: c is placed on the other worker');
  assert.equal(srv.server.registry.get(id)!.media.workerIndexes.sort(), [0, 1]);

  for (const [x, y] of [[a, c], [b, c], [c, a], [c, b]] as const) {
    await waitFor(`${x.name} receives ${y.name} across workers`, () => x.tracksFrom(y.peerId).length === 2, 15_000);
  }
  const frames = () => ctx.bots.map((bot) => [...bot.remote.values()].filter((r) => r.kind === 'video').map((r) => r.frames));
  await waitFor('every video stream decodes frames', () => frames().flat().every((n) => n > 5), 15_000);
  const before = frames().flat();
  await waitFor('all six video streams advance', () => frames().flat().every((n, i) => n > before[i] + 5), 10_000);

  // c leaves: a and b lose its streams, the pipes' consumers close on both workers.
  const cId = c.peerId;
  await c.leave();
  await waitFor('a and b no longer receive c', () => a.tracksFrom(cId).length === 0 && b.tracksFrom(cId).length === 0, 5_000);
  await waitFor('no consumers left on the second worker', () => srv.server.pool.workers[second].consumers === 0, 5_000);
});

spread('a room spread over two workers, emptied, closes its routers on both', async (ctx) => {
  const srv = ctx.srv!;
  const pool = srv.server.pool;
  await waitFor('no room open from before', () => srv.server.registry.size === 0, 10_000);
  const baseline = pool.workers.map((w) => ({ routers: w.routers, consumers: w.consumers }));
  const { id } = await srv.createRoom();
  const join = joiner(ctx, id);
  const bots = [await join('a'), await join('b')];
  await waitFor('a and b receive each other', () => bots[0].tracksFrom(bots[1].peerId).length === 2 && bots[1].tracksFrom(bots[0].peerId).length === 2, 15_000);
  bots.push(await join('c'));
  assert.equal(srv.server.registry.get(id)!.media.workerIndexes.sort(), [0, 1], 'the room has a router on each worker');
  const routers = [...new Set(bots.map((b) => placementOf(srv, id, b.peerId).router))];
  assert.is(routers.length, 2);
  await waitFor('c receives a and b across workers', () => bots.slice(0, 2).every((o) => bots[2].tracksFrom(o.peerId).length === 2), 15_000);

  for (const bot of bots) await bot.leave();
  await waitFor('the room closed', () => !srv.server.registry.get(id), 5_000);
  await waitFor('both of its routers closed', () => routers.every((r) => r.closed), 5_000);
  await waitFor('the workers carry no more routers and consumers than before the room', () =>
    pool.workers.every((w, i) => w.routers <= baseline[i].routers && w.consumers <= baseline[i].consumers), 5_000);
});

exitAfterRun(spread);
