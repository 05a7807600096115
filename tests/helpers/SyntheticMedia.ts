import { wrtc } from './wrtcGlobals.js';

/** Length of a sync marker's beep: 100 ms at 48 kHz. */
const BEEP_SAMPLES = 4800;

/**
 * Real media for bots: a moving I420 picture (a bar sweeping across a gradient) and a 440 Hz
 * tone in syllables, pushed into @roamhq/wrtc sources at 15 fps and 100 packets of 10 ms per second.
 *
 * With `markerPeriodMs` > 0 it is a sync marker instead: a dark picture whose first frame at or
 * after each k × period (k ≥ 1) is white (a flash), and silence but for a 1 kHz beep of 100 ms
 * whose first sample is at the wall-clock instant that flash was handed to the video source.
 */
export class SyntheticMedia {
  readonly videoTrack: MediaStreamTrack;
  readonly audioTrack: MediaStreamTrack;
  readonly #videoSource = new wrtc.nonstandard.RTCVideoSource();
  readonly #audioSource = new wrtc.nonstandard.RTCAudioSource();
  readonly #timers: NodeJS.Timeout[] = [];
  /** First samples (on the audio clock) of the beeps not sent entirely yet. */
  readonly #beeps: number[] = [];
  #frame = 0;
  #sample = 0;
  #closed = false;

  constructor(readonly width = 320, readonly height = 240, fps = 15, readonly amplitude = 8000, readonly markerPeriodMs = 0) {
    this.videoTrack = this.#videoSource.createTrack();
    this.audioTrack = this.#audioSource.createTrack();
    // One clock for both: audio sample n is due at startedAt + n / 48 ms.
    const startedAt = performance.now();
    const frames = markerPeriodMs > 0 ? undefined : videoLoop(width, height);
    const marker = markerPeriodMs > 0 ? markerFrames(width, height) : undefined;
    let nextMarkerMs = markerPeriodMs;
    this.#timers.push(
      setInterval(() => {
        if (frames) {
          this.#videoSource.onFrame({ width, height, data: frames[this.#frame++ % frames.length] });
          return;
        }
        const at = performance.now() - startedAt;
        const flash = at >= nextMarkerMs;
        this.#videoSource.onFrame({ width, height, data: flash ? marker!.white : marker!.dark });
        if (!flash) return;
        // Audio is never sent ahead of the wall clock, so this sample is not sent yet.
        this.#beeps.push(Math.round(at * 48));
        nextMarkerMs = (Math.floor(at / markerPeriodMs) + 1) * markerPeriodMs;
      }, 1000 / fps),
    );
    const tone = audioLoop(amplitude);
    const beep = markerPeriodMs > 0 ? beepSamples(amplitude) : undefined;
    this.#timers.push(
      setInterval(() => {
        // Paced by the wall clock, not by the timer: a late tick sends the 10 ms chunks it owes, so
        // the bot's audio keeps real time under load (a browser's audio clock does).
        const due = Math.floor(((performance.now() - startedAt) * 48) / 480) * 480;
        for (let n = 0; this.#sample < due && n < 20; n++) {
          const start = this.#sample;
          this.#sample += 480;
          const samples = beep ? this.#markerChunk(start, beep) : tone.slice(start % tone.length, (start % tone.length) + 480);
          this.#audioSource.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
        }
        if (this.#sample < due - 48_000) this.#sample = due; // more than 1 s behind: skip, as a device would
      }, 10),
    );
  }

  /** The 10 ms of marker audio from sample `start`: silence, or the part of a beep that falls in it. */
  #markerChunk(start: number, beep: Int16Array): Int16Array {
    while (this.#beeps.length > 0 && this.#beeps[0] + BEEP_SAMPLES <= start) this.#beeps.shift();
    const end = start + 480;
    const inChunk = this.#beeps.filter((b) => b < end);
    if (inChunk.length === 0) return SILENCE;
    const chunk = new Int16Array(480);
    for (const b of inChunk) {
      for (let i = Math.max(start, b); i < Math.min(end, b + BEEP_SAMPLES); i++) chunk[i - start] = beep[i - b];
    }
    return chunk;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.videoTrack.stop();
    this.audioTrack.stop();
  }
}

/**
 * The picture loop, computed once per size and shared by every bot (a benchmark runs dozens):
 * 40 I420 frames of a bright bar sweeping across a gradient.
 */
const videoLoops = new Map<string, Uint8ClampedArray[]>();
function videoLoop(width: number, height: number): Uint8ClampedArray[] {
  const key = `${width}x${height}`;
  let frames = videoLoops.get(key);
  if (!frames) {
    frames = [];
    for (let k = 0; k < 40; k++) {
      const data = new Uint8ClampedArray(width * height * 1.5);
      const bar = Math.floor((k * width) / 40);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) data[y * width + x] = Math.abs(x - bar) < 12 ? 235 : (x + y) & 0xff;
      }
      data.fill(128, width * height);
      frames.push(data);
    }
    videoLoops.set(key, frames);
  }
  return frames;
}

/** The sync marker's two pictures (dark, Y = 16, and white, Y = 235), computed once per size. */
const markerLoops = new Map<string, { dark: Uint8ClampedArray; white: Uint8ClampedArray }>();
function markerFrames(width: number, height: number): { dark: Uint8ClampedArray; white: Uint8ClampedArray } {
  const key = `${width}x${height}`;
  let frames = markerLoops.get(key);
  if (!frames) {
    const frame = (luma: number) => {
      const data = new Uint8ClampedArray(width * height * 1.5);
      data.fill(luma, 0, width * height);
      data.fill(128, width * height);
      return data;
    };
    frames = { dark: frame(16), white: frame(235) };
    markerLoops.set(key, frames);
  }
  return frames;
}

const SILENCE = new Int16Array(480);

/** A sync marker's beep: 100 ms of 1 kHz (48 samples per period), computed once per amplitude. */
const beeps = new Map<number, Int16Array>();
function beepSamples(amplitude: number): Int16Array {
  let beep = beeps.get(amplitude);
  if (!beep) {
    beep = new Int16Array(BEEP_SAMPLES);
    for (let i = 0; i < beep.length; i++) beep[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    beeps.set(amplitude, beep);
  }
  return beep;
}

/**
 * Half a second of sound, computed once per amplitude: a 440 Hz tone in syllables (300 ms of tone,
 * 200 ms of near-silence) so that speech detection sees activity. 220 periods: it loops seamlessly.
 */
const audioLoops = new Map<number, Int16Array>();
function audioLoop(amplitude: number): Int16Array {
  let tone = audioLoops.get(amplitude);
  if (!tone) {
    tone = new Int16Array(24000);
    for (let i = 0; i < tone.length; i++) {
      const syllable = i < 14400 ? 1 : 0.02;
      tone[i] = Math.round(amplitude * syllable * Math.sin((2 * Math.PI * 440 * i) / 48000));
    }
    audioLoops.set(amplitude, tone);
  }
  return tone;
}
