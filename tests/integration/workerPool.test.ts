import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkerPool } from '@nomades/sfu';
import { loadConfig } from '@nomades/server';
import { waitFor } from '../helpers/waitFor.js';

/**
 * PLACE-4 (docs/spec/media.md) with real mediasoup workers: a slot whose worker keeps dying rests
 * after the third death within a minute, then gets a new worker by itself (here after a 1 s
 * cooldown), which hosts routers again.
 */
const pool = suite<{ pool?: WorkerPool }>('worker pool');
pool.after(async (ctx) => ctx.pool?.close());

pool('PLACE-4: a slot that gave up after repeated deaths is tried again after its cooldown', async (ctx) => {
  const c = loadConfig({ RTC_PORT: '0', HOST: '127.0.0.1', MEDIA_WORKERS: '1' });
  const p = (ctx.pool = await WorkerPool.create({
    numWorkers: 1,
    listenIp: c.rtcListenIp,
    announcedIp: c.announcedIp,
    basePort: c.rtcPort,
    rtcMinPort: c.rtcMinPort,
    rtcMaxPort: c.rtcMaxPort,
    workerBin: c.mediasoupWorkerBin,
    restartCooldownMs: 1_000,
  }));
  const events: string[] = [];
  p.on('workerrestarted', () => events.push('restarted'));
  p.on('workergaveup', (_i, ms) => events.push(`gaveup ${ms}`));
  for (let death = 1; death <= 4; death++) {
    const pid = p.workers[0].worker.pid;
    process.kill(pid, 'SIGKILL');
    await waitFor(`death ${death} handled`, () => events.length === death, 10_000, 20);
  }
  assert.equal(events, ['restarted', 'restarted', 'restarted', 'gaveup 1000'], 'three replacements, then a rest');
  assert.ok(p.workers[0].worker.closed, 'the slot is empty while it rests');
  await waitFor('a new worker after the cooldown', () => events.length === 5, 10_000, 20);
  assert.is(events[4], 'restarted');
  const router = await p.workers[0].worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  assert.not.ok(router.closed, 'the new worker hosts routers');
});

pool('close() then exited(): no worker process is left', async () => {
  const c = loadConfig({ RTC_PORT: '0', HOST: '127.0.0.1' });
  const p = await WorkerPool.create({ numWorkers: 2, listenIp: c.rtcListenIp, basePort: 0, rtcMinPort: c.rtcMinPort, rtcMaxPort: c.rtcMaxPort, workerBin: c.mediasoupWorkerBin });
  const pids = p.workers.map((w) => w.worker.pid);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(pids.length === 2 && pids.every(alive), 'two workers running');
  p.close();
  await p.exited();
  assert.equal(pids.filter(alive), [], 'both worker processes are gone once exited() resolves');
});

pool.run();
