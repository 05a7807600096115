import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ComposeSlots } from '../../recorder/src/ComposeSlots.js';

/** COMP-7 (recorder/README.md): compositions share the recorder's slots, in arrival order, each told its place. */

test('COMP-7: one slot: the second and third wait in order, told how many are ahead as the queue moves', async () => {
  const slots = new ComposeSlots(1);
  const order: string[] = [];
  const places: Record<string, number[]> = { b: [], c: [] };
  const a = await slots.acquire();
  order.push('a');
  const b = slots.acquire((n) => places.b!.push(n)).then((release) => (order.push('b'), release));
  const c = slots.acquire((n) => places.c!.push(n)).then((release) => (order.push('c'), release));
  assert.is(slots.waiting, 2);
  assert.equal(places, { b: [1], c: [2] }, 'b has one ahead (a, running), c two');
  a();
  const releaseB = await b;
  assert.equal(order, ['a', 'b']);
  assert.equal(places.c, [2, 1], 'c moved up');
  a(); // a second release of the same slot changes nothing
  assert.is(slots.waiting, 1, 'c still waits: b holds the slot');
  releaseB();
  (await c)();
  assert.equal(order, ['a', 'b', 'c']);
  assert.is(slots.waiting, 0);
});

test('COMP-7: two slots: two run at once, the third waits with two ahead', async () => {
  const slots = new ComposeSlots(2);
  const first = await slots.acquire();
  await slots.acquire();
  const told: number[] = [];
  let started = false;
  const third = slots.acquire((n) => told.push(n)).then((r) => ((started = true), r));
  await Promise.resolve();
  assert.not.ok(started);
  assert.equal(told, [2]);
  first();
  (await third)();
  assert.ok(started);
});

test('COMP-7: at least one slot', () => {
  assert.throws(() => new ComposeSlots(0), /at least one/);
});

test.run();
