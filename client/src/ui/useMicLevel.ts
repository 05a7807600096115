import { useEffect, useState } from 'react';

/** How often the meter moves (10 Hz: enough for the eye, cheap for React). */
const INTERVAL_MS = 100;
/** Levels below this (dBFS) show as 0; 0 dBFS shows as 100. */
const FLOOR_DB = -60;

let sharedContext: AudioContext | null = null;

/** One AudioContext for the page; resumed on the first gesture if the browser started it suspended. */
function audioContext(): AudioContext | null {
  if (sharedContext) return sharedContext;
  const Context = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return null;
  const context = new Context();
  sharedContext = context;
  if (context.state === 'suspended') {
    const resume = (): void => {
      void context.resume().catch(() => undefined);
      if (context.state === 'running') removeEventListener('pointerdown', resume), removeEventListener('keydown', resume);
    };
    addEventListener('pointerdown', resume);
    addEventListener('keydown', resume);
    void context.resume().catch(() => undefined);
  }
  return context;
}

/** The RMS level of one analyser frame, 0…100 on a dB scale (FLOOR_DB…0 dBFS). */
export function levelOf(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.round(Math.min(100, Math.max(0, ((db - FLOOR_DB) / -FLOOR_DB) * 100)));
}

/** The loudness of `track` (0…100), measured ten times a second with a WebAudio AnalyserNode. */
export function useMicLevel(track: MediaStreamTrack | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    setLevel(0);
    const context = track ? audioContext() : null;
    if (!track || !context) return;
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      setLevel(track.enabled && track.readyState === 'live' ? levelOf(samples) : 0);
    }, INTERVAL_MS);
    return () => {
      clearInterval(timer);
      source.disconnect();
      analyser.disconnect();
    };
  }, [track]);
  return level;
}
