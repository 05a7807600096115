import { wrtc } from './wrtcGlobals.js';

/**
 * Real media for bots: a moving I420 picture (a bar sweeping across a gradient) and a 440 Hz
 * tone, pushed into @roamhq/wrtc sources at 15 fps and 100 packets of 10 ms per second.
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

  constructor(readonly width = 320, readonly height = 240, fps = 15) {
    this.videoTrack = this.#videoSource.createTrack();
    this.audioTrack = this.#audioSource.createTrack();
    const data = new Uint8ClampedArray(width * height * 1.5);
    this.#timers.push(
      setInterval(() => {
        const bar = (this.#frame++ * 8) % width;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) data[y * width + x] = Math.abs(x - bar) < 12 ? 235 : (x + y) & 0xff;
        }
        data.fill(128, width * height);
        this.#videoSource.onFrame({ width, height, data });
      }, 1000 / fps),
    );
    const samples = new Int16Array(480);
    this.#timers.push(
      setInterval(() => {
        for (let i = 0; i < samples.length; i++) {
          samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * this.#sample++) / 48000));
        }
        this.#audioSource.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
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
