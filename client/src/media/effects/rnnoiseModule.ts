/// <reference types="vite/client" />
import workletUrl from '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url';
import wasmUrl from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import simdUrl from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';
import { loadRnnoise, RnnoiseWorkletNode } from '@sapphi-red/web-noise-suppressor';

/**
 * The RNNoise model compiled to WebAssembly (@sapphi-red/web-noise-suppressor, which bundles
 * @shiguredo/rnnoise-wasm) and its AudioWorkletProcessor: both are files of the built client
 * (Vite copies them into dist/assets), fetched from the page's own origin, never from a CDN. The
 * processor compiles the wasm inside the audio thread (CSP: `script-src 'self' 'wasm-unsafe-eval'`).
 * Imported dynamically by NoiseSuppressor (a chunk of its own): evaluating the package defines
 * classes that extend AudioWorkletNode.
 */
let binary: Promise<ArrayBuffer> | null = null;

/** The wasm binary (the SIMD build where the browser has SIMD), fetched once per page. */
export function rnnoiseBinary(): Promise<ArrayBuffer> {
  binary ??= loadRnnoise({ url: wasmUrl, simdUrl }).catch((error: unknown) => {
    binary = null;
    throw error;
  });
  return binary;
}

/** Registers the RNNoise processor in `context` (once per context). */
export async function addRnnoiseProcessor(context: BaseAudioContext): Promise<void> {
  await context.audioWorklet.addModule(workletUrl);
}

/** An RNNoise node (one channel) in `context`, its processor registered and its wasm loaded. */
export async function createRnnoiseNode(context: AudioContext): Promise<RnnoiseWorkletNode> {
  const [wasmBinary] = await Promise.all([rnnoiseBinary(), addRnnoiseProcessor(context)]);
  return new RnnoiseWorkletNode(context, { maxChannels: 1, wasmBinary });
}
