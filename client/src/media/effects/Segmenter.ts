import type { Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation';

/** Served from the client's own files (client/vite.config.ts copies the npm package there). */
const FILES = `${import.meta.env.BASE_URL}mediapipe/selfie_segmentation/`;
/**
 * MediaPipe's landscape model (input 256×144): 30 % cheaper than the general one (256×256) for
 * the same mask on a 16:9 camera (docs/benchmarks.md, "Background effects").
 */
const MODEL_LANDSCAPE = 1;
const MODEL_GENERAL = 0;
/** The picture the model is given: its own input size, so that it scales nothing itself. */
export const SEGMENT_WIDTH = 256;
export const SEGMENT_HEIGHT = 144;

/**
 * Person segmentation: MediaPipe's selfie segmentation (WebAssembly + WebGL), loaded once per page
 * from the client's own files. That build needs the page's document (it adds its loader as a
 * script and draws on DOM canvases), so it runs on the main thread, not in a worker. One picture
 * at a time: `segment` calls wait for each other.
 */
export class Segmenter {
  private static loading: Promise<Segmenter> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private target: CanvasRenderingContext2D | null = null;

  private constructor(private readonly model: SelfieSegmentation) {
    model.onResults((results: Results) => {
      const target = this.target;
      if (!target) return;
      target.globalCompositeOperation = 'copy';
      target.drawImage(results.segmentationMask, 0, 0, target.canvas.width, target.canvas.height);
    });
  }

  /** The page's segmenter; rejects when the browser cannot run it (no WebGL 2, no WebAssembly…). */
  static load(): Promise<Segmenter> {
    Segmenter.loading ??= Segmenter.create().catch((error: unknown) => {
      Segmenter.loading = null;
      throw error;
    });
    return Segmenter.loading;
  }

  /** Draws the person mask of `picture` into `mask` (opaque = person); resolves with the time taken (ms). */
  segment(picture: HTMLCanvasElement, mask: CanvasRenderingContext2D): Promise<number> {
    const run = this.queue.then(async () => {
      const start = performance.now();
      this.target = mask;
      try {
        await this.model.send({ image: picture });
      } finally {
        this.target = null;
      }
      return performance.now() - start;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private static async create(): Promise<Segmenter> {
    await loadScript(`${FILES}selfie_segmentation.js`);
    const Model = (globalThis as unknown as { SelfieSegmentation?: typeof SelfieSegmentation }).SelfieSegmentation;
    if (!Model) throw new Error('selfie segmentation did not load');
    const model = new Model({ locateFile: (file) => `${FILES}${file}` });
    // The benchmark compares both models (localStorage 'nomades.background.model' = 'general'); the landscape one otherwise.
    const general = safeGet('nomades.background.model') === 'general';
    model.setOptions({ modelSelection: general ? MODEL_GENERAL : MODEL_LANDSCAPE, selfieMode: false });
    await model.initialize();
    return new Segmenter(model);
  }
}

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}
