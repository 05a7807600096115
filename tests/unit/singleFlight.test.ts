import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SingleFlight } from '../../server/src/signaling/SingleFlight.js';

/** The handshake's coalescing of a burst's identical reads (server/src/signaling/SingleFlight.ts). */
test('concurrent calls for one key share one run; other keys and later calls run again', async () => {
  const flight = new SingleFlight<number>();
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const work = async () => {
    runs++;
    await gate;
    return runs;
  };
  const same = Array.from({ length: 50 }, () => flight.run('room-a', work));
  const other = flight.run('room-b', work);
  assert.is(runs, 2, 'one run for the 50 calls of room-a, one for room-b');
  assert.is(flight.size, 2);
  release();
  const answers = await Promise.all(same);
  assert.ok(answers.every((a) => a === answers[0]), 'the 50 callers get the same answer');
  await other;
  assert.is(flight.size, 0, 'nothing kept once settled');
  await flight.run('room-a', work);
  assert.is(runs, 3, 'a call after the first settled runs again (no caching)');
});

test('a failure reaches every waiting caller and is not kept', async () => {
  const flight = new SingleFlight<number>();
  let runs = 0;
  const failing = async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('database away');
  };
  const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
  assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'database away'));
  assert.is(runs, 1);
  assert.is(await flight.run('k', async () => 7), 7, 'the next call runs afresh');
});

test.run();
