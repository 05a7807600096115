import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NoiseSuppressionPreference, offeredByOperator } from '../../client/src/media/effects/NoiseSuppressionPreference.js';

/** DEV-6: noise suppression is on by default, the person's choice is kept, the operator's off wins. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

test('on by default; turned off, the next page reads it off; changes are told once', () => {
  const storage = new MemoryStorage();
  const first = new NoiseSuppressionPreference(storage, true);
  assert.equal(first.getSnapshot(), { available: true, wanted: true, active: true });
  let told = 0;
  first.subscribe(() => told++);
  first.setWanted(false);
  first.setWanted(false);
  assert.is(told, 1);
  assert.equal(new NoiseSuppressionPreference(storage, true).getSnapshot(), { available: true, wanted: false, active: false });
});

test('the operator turned it off (NOISE_SUPPRESSION=off): never active, whatever the person wants', () => {
  const pref = new NoiseSuppressionPreference(new MemoryStorage(), false);
  assert.is(pref.getSnapshot().active, false);
  pref.setWanted(true);
  assert.is(pref.getSnapshot().active, false);
});

test('no storage (private mode): on, and a choice holds for the page', () => {
  const pref = new NoiseSuppressionPreference(null, true);
  pref.setWanted(false);
  assert.is(pref.getSnapshot().wanted, false);
});

test('the page\'s attribute: data-noise-suppression="off" (NOISE_SUPPRESSION=off) removes it, anything else or no page offers it', () => {
  assert.is(offeredByOperator({ dataset: { noiseSuppression: 'off' } }), false);
  assert.is(offeredByOperator({ dataset: {} }), true, 'no attribute (NOISE_SUPPRESSION=on, the default)');
  assert.is(offeredByOperator({ dataset: { noiseSuppression: 'on' } }), true);
  assert.is(offeredByOperator(undefined), true, 'no document (tests, workers)');
});

test.run();
