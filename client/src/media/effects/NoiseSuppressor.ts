import type { RnnoiseWorkletNode } from '@sapphi-red/web-noise-suppressor';
import { TypedEmitter } from '../TypedEmitter';

/** RNNoise works on 10 ms frames at 48 kHz; the context runs at that rate whatever the device's. */
const SAMPLE_RATE = 48_000;
/** How long a new context may take to start before the raw microphone is sent meanwhile. */
const START_WAIT_MS = 1_000;

interface Graph {
  context: AudioContext;
  node: RnnoiseWorkletNode;
  source: MediaStreamAudioSourceNode | null;
  output: MediaStreamTrack;
}

/**
 * Noise suppression of one microphone: MediaStreamSource → AudioWorkletNode (RNNoise) →
 * MediaStreamDestination, whose track is the one to send and to meter (`output`). A new input
 * (another device) is wired into the same graph, so the output track stays the same; off, the
 * graph is closed and the output is the input itself. Where it cannot run (no AudioWorklet, a
 * context that refuses the device's rate, a wasm that fails) or until the browser lets the audio
 * context start (autoplay: a first click or key), the output is the input: the microphone is
 * never silenced by its processing. `output` is emitted whenever it changes by itself. The RNNoise
 * module is loaded on first use only: its classes extend AudioWorkletNode when evaluated, which
 * would stop the whole page where that does not exist (an older browser, a page not in a secure
 * context).
 */
export class NoiseSuppressor extends TypedEmitter<{ output: [MediaStreamTrack | null] }> {
  private input: MediaStreamTrack | null = null;
  private graph: Graph | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failed = false;
  private closed = false;

  constructor(private enabled: boolean) {
    super();
  }

  /** The track to send and meter: the processed one while processing runs, else the input. */
  get output(): MediaStreamTrack | null {
    return this.processing ? this.graph!.output : this.input;
  }

  /** The microphone is processed now. */
  get processing(): boolean {
    return Boolean(this.graph && this.graph.context.state === 'running' && this.graph.source);
  }

  /** Processes `track` (another microphone, or none): the output to send from now on. */
  setInput(track: MediaStreamTrack | null): Promise<MediaStreamTrack | null> {
    return this.run(async () => {
      if (this.input === track && (this.graph || !this.enabled)) return;
      this.input = track;
      if (!track) return this.teardown();
      if (this.enabled) await this.wire();
    });
  }

  /** Turns the processing on or off: the output to send from now on. */
  setEnabled(on: boolean): Promise<MediaStreamTrack | null> {
    return this.run(async () => {
      this.enabled = on;
      if (!on) return this.teardown();
      this.failed = false;
      if (this.input) await this.wire();
    });
  }

  close(): void {
    this.closed = true;
    this.input = null;
    this.teardown();
    this.removeAllListeners();
  }

  private run(step: () => Promise<void>): Promise<MediaStreamTrack | null> {
    const done = this.queue.then(step).then(() => this.output);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Builds the graph if needed and connects the input to it. */
  private async wire(): Promise<void> {
    if (this.failed || this.closed || !this.input) return;
    try {
      const graph = this.graph ?? (await this.build());
      if (!graph || this.closed) return;
      graph.source?.disconnect();
      // The input feeds the graph only: a muted producer disables the sent (processed) track.
      this.input.enabled = true;
      graph.source = graph.context.createMediaStreamSource(new MediaStream([this.input]));
      graph.source.connect(graph.node);
    } catch (error) {
      console.warn('noise suppression unavailable, the microphone is sent as it is', error);
      this.failed = true;
      this.teardown();
    }
  }

  private async build(): Promise<Graph | null> {
    if (typeof AudioWorkletNode === 'undefined') throw new Error('no AudioWorklet in this browser');
    const { createRnnoiseNode } = await import('./rnnoiseModule');
    const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    try {
      const node = await createRnnoiseNode(context);
      const destination = context.createMediaStreamDestination();
      destination.channelCount = 1;
      node.connect(destination);
      const output = destination.stream.getAudioTracks()[0];
      const graph: Graph = { context, node, source: null, output };
      if (this.closed) {
        this.graph = graph;
        this.teardown();
        return null;
      }
      this.graph = graph;
      this.whenStarted(context);
      // Usually running at once (after a click); else the input is sent until it starts.
      await Promise.race([context.resume(), new Promise((resolve) => setTimeout(resolve, START_WAIT_MS))]).catch(() => undefined);
      return graph;
    } catch (error) {
      void context.close().catch(() => undefined);
      throw error;
    }
  }

  /** A context the browser keeps suspended (autoplay) starts on the first click or key. */
  private whenStarted(context: AudioContext): void {
    context.addEventListener('statechange', () => {
      if (this.graph?.context === context) this.emit('output', this.output);
    });
    if (context.state === 'running') return;
    const resume = (): void => {
      void context.resume().catch(() => undefined);
    };
    const stop = (): void => {
      removeEventListener('pointerdown', resume, true);
      removeEventListener('keydown', resume, true);
    };
    addEventListener('pointerdown', resume, true);
    addEventListener('keydown', resume, true);
    context.addEventListener('statechange', () => context.state !== 'suspended' && stop());
  }

  private teardown(): void {
    const graph = this.graph;
    this.graph = null;
    if (!graph) return;
    graph.source?.disconnect();
    graph.node.disconnect();
    graph.node.destroy();
    graph.output.stop();
    void graph.context.close().catch(() => undefined);
  }
}
