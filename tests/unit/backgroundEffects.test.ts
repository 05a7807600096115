import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '@nomades/server';
import { BackgroundPreferences } from '../../client/src/media/effects/BackgroundPreferences.js';
import { BAD_WINDOWS, BackgroundRate, MAX_BUSY, MIN_PAINT_FPS, WINDOW_MS } from '../../client/src/media/effects/BackgroundRate.js';

/** Background effects (issue 24): the frame budget's arithmetic, the remembered choice, the operator's switch. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string): string | null => this.items.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.items.set(key, value);
  removeItem = (key: string): void => void this.items.delete(key);
}

/** Runs `seconds` of a pipeline whose masks take `maskMs`, painting whenever allowed (ticks every 5 ms). */
function run(rate: BackgroundRate, from: number, seconds: number, maskMs: number): number {
  let busyUntil = from;
  for (let now = from; now < from + seconds * 1000; now += 5) {
    if (now < busyUntil) continue; // the main thread computes a mask
    if (!rate.shouldPaint(now)) continue;
    if (rate.shouldSegment(now)) {
      rate.segmented(now, maskMs);
      busyUntil = now + maskMs;
    }
    rate.painted(now, 3);
  }
  return from + seconds * 1000;
}

test('a fast machine: a mask every frame, never turned off', () => {
  const rate = new BackgroundRate(30, 0);
  run(rate, 0, 20, 10);
  const f = rate.figures();
  assert.ok(f.fps > 25 && f.fps < 31 && f.segmentFps > 25, JSON.stringify(f));
  assert.is(rate.tooSlow(), false);
  assert.is(f.lowered, false);
});

test('a slower machine: fewer masks (MAX_BUSY of the time), frames in between, still on', () => {
  const rate = new BackgroundRate(15, 0);
  run(rate, 0, 20, 100);
  const f = rate.figures();
  assert.ok(f.segmentFps <= 1000 / (100 / MAX_BUSY) + 0.5 && f.segmentFps >= 3, JSON.stringify(f));
  assert.ok(f.fps >= 8, JSON.stringify(f));
  assert.is(rate.tooSlow(), false);
});

test('too slow: first half the painting rate, then off', () => {
  const rate = new BackgroundRate(30, 0);
  let now = run(rate, 0, (BAD_WINDOWS + 1) * (WINDOW_MS / 1000) + 1, 600);
  assert.is(rate.figures().lowered, true, 'the painting rate is lowered first');
  assert.is(rate.tooSlow(), false, 'not off yet');
  now = run(rate, now, WINDOW_MS / 1000 + 0.1, 600);
  assert.is(rate.tooSlow(), false, 'not off yet');
  assert.ok(rate.figures().fps <= Math.max(MIN_PAINT_FPS, 15) + 1, JSON.stringify(rate.figures()));
  now = run(rate, now, (BAD_WINDOWS + 1) * (WINDOW_MS / 1000), 600);
  assert.is(rate.tooSlow(), true, `then off: ${JSON.stringify(rate.figures())}`);
});

test('the choice and the agent’s own image are remembered; a bad stored value is none', () => {
  const storage = new MemoryStorage();
  const first = new BackgroundPreferences(storage);
  assert.is(first.choice, 'none');
  first.setChoice('image:custom');
  assert.is(first.choice, 'none', 'no own image yet: not chosen');
  first.setChoice('blur-strong');
  assert.is(new BackgroundPreferences(storage).choice, 'blur-strong');
  assert.is(first.setCustomImage('data:image/jpeg;base64,AAAA'), true);
  const again = new BackgroundPreferences(storage);
  assert.equal([again.choice, again.getSnapshot().customImage], ['image:custom', 'data:image/jpeg;base64,AAAA']);
  assert.is(first.setCustomImage('javascript:alert(1)'), false, 'only image data URLs');
  first.turnedOff({ code: 'failed', detail: 'no WebGL' });
  assert.is(new BackgroundPreferences(storage).choice, 'none');
  assert.is(first.getSnapshot().notice?.code, 'failed');
  storage.setItem('nomades.background', 'sparkles');
  assert.is(new BackgroundPreferences(storage).choice, 'none');
});

test('BACKGROUND_EFFECTS: on by default, off for the whole service', () => {
  assert.is(loadConfig({}).backgroundEffects, true);
  assert.is(loadConfig({ BACKGROUND_EFFECTS: 'off' }).backgroundEffects, false);
  assert.throws(() => loadConfig({ BACKGROUND_EFFECTS: 'maybe' }));
});

test.run();
