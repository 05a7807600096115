import { wrtc } from './wrtcGlobals.js';

/**
 * Real media for bots: a moving I420 picture (a bar sweeping across a gradient) and a 440 Hz
 * tone in syllables, pushed into @roamhq/wrtc sources at 15 fps and 100 packets of 10 ms per second.
 */
export class SyntheticMedia {
  readonly videoTrack: MediaStreamTrack;
  readonly audioTrack: MediaStreamTrack;
  readonly #videoSource = new wrtc.nonstandard.RTCVideoSource();
  readonly #audioSource = new wrtc.nonstandard.RTCAudioSource();
  readonly #timers: NodeJS.Timeout[] = [];
  #frame = 0;
  #sample = 0;
  #closed = false;

  constructor(readonly width = 320, readonly height = 240, fps = 15, readonly amplitude = 8000) {
    this.videoTrack = this.#videoSource.createTrack();
    this.audioTrack = this.#audioSource.createTrack();
    const frames = videoLoop(width, height);
    this.#timers.push(
      setInterval(() => {
        this.#videoSource.onFrame({ width, height, data: frames[this.#frame++ % frames.length] });
      }, 1000 / fps),
    );
    const tone = audioLoop(amplitude);
    const startedAt = performance.now();
    this.#timers.push(
      setInterval(() => {
        // Paced by the wall clock, not by the timer: a late tick sends the 10 ms chunks it owes, so
        // the bot's audio keeps real time under load (a browser's audio clock does).
        const due = Math.floor(((performance.now() - startedAt) * 48) / 480) * 480;
        for (let n = 0; this.#sample < due && n < 20; n++) {
          const start = this.#sample % tone.length;
          this.#sample += 480;
          const samples = tone.slice(start, start + 480);
          this.#audioSource.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
        }
        if (this.#sample < due - 48_000) this.#sample = due; // more than 1 s behind: skip, as a device would
      }, 10),
    );
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
