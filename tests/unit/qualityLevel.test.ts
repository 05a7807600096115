import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { qualityLevel } from '../../client/src/media/qualityLevel.js';

/** The tile's connection level (docs/spec/media.md MEDIA-5): the worst of what is known, 0…3. */

test('nothing known: no level', () => {
  assert.is(qualityLevel({}), null);
  assert.is(qualityLevel({ scores: [], lossRate: null, rttMs: null, availableBitrate: null }), null);
});

test('perfect scores and a clean network: 3', () => {
  assert.is(qualityLevel({ scores: [10, 10], lossRate: 0, rttMs: 2, availableBitrate: 2_000_000 }), 3);
});

test('the lowest stream score decides', () => {
  assert.is(qualityLevel({ scores: [10, 8] }), 3);
  assert.is(qualityLevel({ scores: [10, 7] }), 2);
  assert.is(qualityLevel({ scores: [10, 5] }), 2);
  assert.is(qualityLevel({ scores: [4, 10] }), 1);
  assert.is(qualityLevel({ scores: [10, 2] }), 0);
  assert.is(qualityLevel({ scores: [0] }), 0);
});

test('packet loss lowers the level', () => {
  assert.is(qualityLevel({ lossRate: 0.01 }), 3);
  assert.is(qualityLevel({ lossRate: 0.03 }), 2);
  assert.is(qualityLevel({ lossRate: 0.1 }), 1);
  assert.is(qualityLevel({ lossRate: 0.2 }), 0);
  assert.is(qualityLevel({ scores: [10], lossRate: 0.2 }), 0, 'a good score does not hide a measured loss');
});

test('round trip and sending estimate lower the level', () => {
  assert.is(qualityLevel({ rttMs: 120 }), 3);
  assert.is(qualityLevel({ rttMs: 350 }), 2);
  assert.is(qualityLevel({ rttMs: 700 }), 1);
  assert.is(qualityLevel({ rttMs: 1500 }), 0);
  assert.is(qualityLevel({ availableBitrate: 1_000_000 }), 3);
  assert.is(qualityLevel({ availableBitrate: 300_000 }), 2);
  assert.is(qualityLevel({ availableBitrate: 150_000 }), 1);
  assert.is(qualityLevel({ availableBitrate: 50_000 }), 0);
});

test('values that are not numbers are ignored', () => {
  assert.is(qualityLevel({ scores: [Number.NaN], rttMs: Number.POSITIVE_INFINITY, lossRate: 0.5 }), 0);
  assert.is(qualityLevel({ scores: [Number.NaN] }), null);
});

test.run();
