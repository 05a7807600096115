import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevicePreferences } from '../../client/src/media/DevicePreferences.js';

/** The chosen camera, microphone and speaker, kept in localStorage for the next join. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  failWrites = false;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
}

test('a choice is kept and read back by the next page', () => {
  const storage = new MemoryStorage();
  const first = new DevicePreferences(storage);
  let changes = 0;
  first.subscribe(() => changes++);
  first.set('videoinput', 'cam-2');
  first.set('audiooutput', 'spk-1');
  first.set('videoinput', 'cam-2'); // unchanged: no event
  assert.is(changes, 2);
  const next = new DevicePreferences(storage);
  assert.equal(next.getSnapshot(), { audioinput: null, videoinput: 'cam-2', audiooutput: 'spk-1' });
});

test('what is stored is checked: garbage, wrong types and oversized ids are ignored', () => {
  for (const stored of ['not json', '42', 'null', JSON.stringify({ videoinput: 7, audioinput: '', audiooutput: 'x'.repeat(600) })]) {
    const storage = new MemoryStorage();
    storage.items.set('nomades.devices', stored);
    assert.equal(new DevicePreferences(storage).getSnapshot(), { audioinput: null, videoinput: null, audiooutput: null }, stored.slice(0, 20));
  }
});

test('storage refused (private mode): the choice holds for the page; no storage at all works too', () => {
  const storage = new MemoryStorage();
  storage.failWrites = true;
  const prefs = new DevicePreferences(storage);
  prefs.set('audioinput', 'mic-3');
  assert.is(prefs.get('audioinput'), 'mic-3');
  const none = new DevicePreferences(null);
  none.set('videoinput', 'cam-1');
  assert.is(none.get('videoinput'), 'cam-1');
});

test.run();
