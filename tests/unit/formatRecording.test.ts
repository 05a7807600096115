import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, formatRecordingDate } from '../../client/src/ui/formatRecording.js';

// REC-V3: a recording's date and length in the agent's language (Intl, no sentence built by hand).
const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('REC-V3: lengths in French and English words, hours and minutes, at least a second', () => {
  assert.is(nbsp(formatDuration(6_400, 'fr')), '6 secondes');
  assert.is(nbsp(formatDuration(185_000, 'fr')), '3 minutes et 5 secondes');
  assert.is(nbsp(formatDuration(3_725_000, 'fr')), '1 heure et 2 minutes', 'seconds left out past an hour');
  assert.is(nbsp(formatDuration(60_000, 'en')), '1 minute');
  assert.is(nbsp(formatDuration(185_000, 'en')), '3 minutes and 5 seconds');
  assert.is(nbsp(formatDuration(0, 'en')), '1 second');
});

test('REC-V3: dates in the locale', () => {
  const iso = '2026-12-02T12:00:00.000Z';
  const fr = nbsp(formatRecordingDate(iso, 'fr'));
  const en = nbsp(formatRecordingDate(iso, 'en'));
  assert.match(fr, /2 décembre 2026/);
  assert.match(en, /December 2, 2026/);
});

test.run();
