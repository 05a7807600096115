import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@nomades/server';
import { FaultLog, FAULT_WINDOW_MS } from '../../server/src/health/FaultLog.js';
import { EXIT_UNCAUGHT, installProcessPolicy } from '../../server/src/process/processPolicy.js';

/** SEC-3 (docs/security.md): what the process does with errors nobody caught; SEC-7: FaultLog. */
const log = createLogger('silent');

test('SEC-3: an unhandled rejection is recorded and the process goes on', () => {
  const faults = new FaultLog(log);
  const exits: number[] = [];
  let stops = 0;
  const uninstall = installProcessPolicy({ log, faults: () => faults, stop: async () => void stops++, exit: (c) => exits.push(c) });
  try {
    process.emit('unhandledRejection', new Error('lost promise'), Promise.resolve());
    assert.equal(exits, [], 'no exit');
    assert.is(stops, 0, 'no stop');
    assert.is(faults.summary()['process.unhandledRejection']?.count, 1);
    assert.is(faults.summary()['process.unhandledRejection']?.lastMessage, 'lost promise');
    assert.ok(faults.degraded, '/healthz says degraded');
  } finally {
    uninstall();
  }
});

test('SEC-3: an uncaught exception stops gracefully once, then exits with EXIT_UNCAUGHT', async () => {
  const exits: number[] = [];
  let stops = 0;
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  const uninstall = installProcessPolicy({
    log,
    stop: async () => {
      stops++;
      await stopped;
    },
    exit: (c) => exits.push(c),
  });
  try {
    (process.emit as (e: string, ...a: unknown[]) => boolean)('uncaughtException', new Error('bug'), 'uncaughtException');
    (process.emit as (e: string, ...a: unknown[]) => boolean)('uncaughtException', new Error('second'), 'uncaughtException');
    assert.is(stops, 1, 'one graceful stop');
    assert.equal(exits, [], 'no exit before the stop ends');
    release();
    await stopped;
    await new Promise((r) => setImmediate(r));
    assert.equal(exits, [EXIT_UNCAUGHT]);
  } finally {
    uninstall();
  }
});

test('SEC-7: FaultLog.guard records throws and rejections by source; degraded only within the window', async () => {
  let now = 1_000_000;
  const faults = new FaultLog(log, () => now);
  assert.not.ok(faults.degraded);
  faults.guard('timer', () => {
    throw new Error('sync');
  })();
  faults.guard('listener', async () => {
    throw new Error('async');
  })();
  await new Promise((r) => setImmediate(r));
  assert.is(faults.summary().timer?.lastMessage, 'sync');
  assert.is(faults.summary().listener?.lastMessage, 'async');
  assert.ok(faults.degraded);
  now += FAULT_WINDOW_MS + 1;
  assert.not.ok(faults.degraded, 'ok again once the failures are old');
  assert.is(faults.summary().timer?.count, 1, 'counts are kept');
});

test.run();
