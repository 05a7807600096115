import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NoiseSuppressor } from '../../client/src/media/effects/NoiseSuppressor.js';

/**
 * Issue 24: where the browser has no AudioWorklet (an older browser; a page outside a secure
 * context), noise suppression falls back to the raw microphone, and nothing throws. Node has no
 * AudioWorkletNode either, so this runs the real fallback path. Importing NoiseSuppressor here at
 * all proves that it does not load the RNNoise package eagerly: that package's classes extend
 * AudioWorkletNode when evaluated, which throws where it is missing (and stopped the whole page).
 */
const track = (label: string) => ({ label, enabled: false, kind: 'audio' }) as unknown as MediaStreamTrack;

test('no AudioWorklet: the output is the input (raw), on and off, for each new device; no processing', async () => {
  assert.is(typeof (globalThis as { AudioWorkletNode?: unknown }).AudioWorkletNode, 'undefined', 'this environment has no AudioWorklet');
  const warn = console.warn;
  const warnings: unknown[][] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    const suppressor = new NoiseSuppressor(true);
    const first = track('Micro 1');
    assert.is(await suppressor.setInput(first), first, 'on: the device\'s track is sent as it is');
    assert.is(suppressor.output, first);
    assert.is(suppressor.processing, false);
    assert.is(warnings.length, 1, 'the fallback is told once');
    assert.match(String(warnings[0][1]), /AudioWorklet/);
    const second = track('Micro 2');
    assert.is(await suppressor.setInput(second), second, 'another device: sent as it is (no new attempt)');
    assert.is(await suppressor.setEnabled(false), second, 'turned off: the input');
    assert.is(await suppressor.setEnabled(true), second, 'turned on again: tried again, still the input');
    assert.is(warnings.length, 2);
    assert.is(await suppressor.setInput(null), null, 'no microphone');
    suppressor.close();
    suppressor.close();
    assert.is(suppressor.output, null);
  } finally {
    console.warn = warn;
  }
});

test.run();
