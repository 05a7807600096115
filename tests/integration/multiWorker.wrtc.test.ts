import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite } from '../helpers/wrtcSuite.js';
import type { TestServer } from '../helpers/testServer.js';

/**
 * PLACE-1…3 (docs/spec/media.md): with a worker limit of 4 consumers, a room of three publishers
 * spreads over two workers; media crosses between them through pipeToRouter; everyone receives
 * everyone; leaving cleans up on both sides.
 */
const spread = wrtcSuite('room over two workers', { MEDIA_WORKERS: '2', MEDIA_WORKER_MAX_CONSUMERS: '4' });

const workerOf = (srv: TestServer, roomId: string, peerId: string) =>
  [...srv.server.registry.get(roomId)!.peers()].find((p) => p.id === peerId)!.media.placement!.workerIndex;

spread('a busy worker sends newcomers to the other one; media flows both ways', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const join = async (name: string) => {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, name));
    return bot;
  };
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
  await sleep(1500);
  const after = frames().flat();
  assert.ok(after.every((n, i) => n > before[i]), `all six video streams advance: ${before} → ${after}`);

  // c leaves: a and b lose its streams, the pipes' consumers close on both workers.
  const cId = c.peerId;
  await c.leave();
  await waitFor('a and b no longer receive c', () => a.tracksFrom(cId).length === 0 && b.tracksFrom(cId).length === 0, 5_000);
  await waitFor('no consumers left on the second worker', () => srv.server.pool.workers[second].consumers === 0, 5_000);
});

spread('an emptied room closes its routers on every worker', async (ctx) => {
  const srv = ctx.srv!;
  for (const bot of ctx.bots) await bot.leave();
  await waitFor('rooms closed', () => srv.server.registry.size === 0, 5_000);
  await waitFor('no routers left', () => srv.server.pool.workers.every((w) => w.routers === 0 && w.consumers === 0), 5_000);
});

exitAfterRun(spread);
