import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { roundTrip } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite } from '../helpers/wrtcSuite.js';

/**
 * ROOM-5: a mediasoup worker process dies (SIGKILL). The participants of the rooms it hosted are
 * told (closing UNAVAILABLE) and can rejoin; rooms on the other worker go on; the pool replaces
 * the dead worker; the server stays up.
 */
const failure = wrtcSuite('worker failure', { MEDIA_WORKERS: '2' });

const videoFrames = (bot: WrtcBot) => [...bot.remote.values()].filter((r) => r.kind === 'video' && !r.closed).reduce((n, r) => n + r.frames, 0);

failure('killing the worker of room A ends A cleanly, B goes on, the worker is replaced', async (ctx) => {
  const srv = ctx.srv!;
  const pool = srv.server.pool;
  const join = async (roomId: string, name: string) => {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, roomId, await srv.mintToken(roomId, name));
    return bot;
  };
  const roomA = (await srv.createRoom({ name: 'A' })).id;
  const roomB = (await srv.createRoom({ name: 'B' })).id;
  const [a1, a2] = [await join(roomA, 'a1'), await join(roomA, 'a2')];
  const [b1, b2] = [await join(roomB, 'b1'), await join(roomB, 'b2')];
  const workerA = srv.server.registry.get(roomA)!.media.workerIndex;
  const workerB = srv.server.registry.get(roomB)!.media.workerIndex;
  assert.is.not(workerA, workerB, 'placement: the second room goes to the idle worker');
  await waitFor('media in both rooms', () => [a1, a2, b1, b2].every((b) => videoFrames(b) > 5), 15_000);

  const deadPid = pool.workers[workerA].worker.pid;
  process.kill(deadPid, 'SIGKILL');

  await waitFor('room A participants told to rejoin', () => a1.closedBy === 'UNAVAILABLE' && a2.closedBy === 'UNAVAILABLE', 10_000);
  assert.not.ok(srv.server.registry.get(roomA), 'room A closed');
  const before = videoFrames(b1);
  await waitFor('room B still receives video', () => videoFrames(b1) > before + 10, 10_000);
  // Room A's participants were told; room B's were not, by a later answered request on their sockets.
  await Promise.all([roundTrip(b1.socket), roundTrip(b2.socket)]);
  assert.is(b1.closedBy, undefined);
  assert.is(b2.closedBy, undefined);

  await waitFor('dead worker replaced', () => pool.workers[workerA].worker.pid !== deadPid && !pool.workers[workerA].worker.closed, 10_000);
  const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { workers: number };
  assert.is(health.workers, 2);

  // Rejoining room A works, with media, on a live worker.
  const [c1, c2] = [await join(roomA, 'a1-again'), await join(roomA, 'a2-again')];
  await waitFor('media in room A again', () => videoFrames(c1) > 5 && videoFrames(c2) > 5, 15_000);
});

exitAfterRun(failure);
