import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { Lifecycle } from '../../server/src/lifecycle/Lifecycle.js';

/**
 * The undo stack of a node's parts (server/src/lifecycle/Lifecycle.ts): stops in reverse, once;
 * a start that fails stops what had started; a stop that throws does not stop the others.
 */
const quiet = pino({ level: 'silent' });

test('parts stop in reverse order of their start, once, with onStop steps at their place', async () => {
  const life = new Lifecycle(quiet);
  const stopped: string[] = [];
  const a = await life.start('a', () => 'A', (p) => stopped.push(p));
  await life.start('b', async () => 'B', async (p) => { stopped.push(p); });
  life.onStop('early-a', () => stopped.push('early-a'));
  assert.is(a, 'A');
  assert.equal(life.names, ['a', 'b', 'early-a']);
  await Promise.all([life.stop(), life.stop()]);
  await life.stop();
  assert.equal(stopped, ['early-a', 'B', 'A']);
});

test('a build that fails stops what it started and rethrows; the failed part registers nothing', async () => {
  const life = new Lifecycle(quiet);
  const stopped: string[] = [];
  const error = await life
    .build(async () => {
      await life.start('store', () => 1, () => stopped.push('store'));
      await life.start('workers', () => 2, () => stopped.push('workers'));
      await life.start('listen', () => { throw new Error('EADDRINUSE'); }, () => stopped.push('listen'));
    })
    .catch((e: Error) => e);
  assert.instance(error, Error);
  assert.is((error as Error).message, 'EADDRINUSE');
  assert.equal(stopped, ['workers', 'store']);
  await assert.not.throws(() => life.stop());
  await life.start('late', () => 0, () => undefined).then(
    () => assert.unreachable('a stopped list takes no new part'),
    (e: Error) => assert.match(e.message, /stopping/),
  );
});

test('a stop that throws is logged and the next ones still run', async () => {
  const life = new Lifecycle(quiet);
  const stopped: string[] = [];
  await life.start('first', () => 1, () => stopped.push('first'));
  await life.start('broken', () => 2, () => { throw new Error('boom'); });
  await life.start('rejects', () => 3, async () => { throw new Error('async boom'); });
  await life.stop();
  assert.equal(stopped, ['first']);
});

test.run();
