import { TypedEmitter } from '../TypedEmitter';
import { blurRadius, type BackgroundChoice } from './BackgroundChoice';
import { BackgroundRate, type BackgroundRateFigures } from './BackgroundRate';
import { BackgroundTicker } from './BackgroundTicker';
import { SEGMENT_HEIGHT, SEGMENT_WIDTH, type Segmenter } from './Segmenter';

type BackgroundProcessorEvents = {
  /** The frame budget is not met even at the lowest segmentation rate: the caller turns it off. */
  tooSlow: [BackgroundRateFigures];
  /** The segmenter could not be loaded (browser without WebGL 2…). */
  failed: [Error];
};

/**
 * One camera track in, one track out with the background blurred or replaced:
 * camera → <video> → segmentation of a 256×144 copy (the person mask, at its own rate: see
 * BackgroundRate) → compositing on a canvas (background blurred from a downscaled copy with
 * ctx.filter, or an image; the person drawn through the mask) → canvas.captureStream(). Until
 * the first mask arrives only the background is drawn (nothing of the room is shown unprocessed).
 * The output track stays the same across setInput/setChoice, so the sent producer is kept.
 */
export class BackgroundProcessor extends TypedEmitter<BackgroundProcessorEvents> {
  readonly output: MediaStreamTrack;
  private readonly video = document.createElement('video');
  private readonly canvas = document.createElement('canvas');
  private readonly picture = canvasOf(SEGMENT_WIDTH, SEGMENT_HEIGHT);
  private readonly mask = canvasOf(SEGMENT_WIDTH, SEGMENT_HEIGHT);
  private readonly person = document.createElement('canvas');
  private readonly blurred = document.createElement('canvas');
  private readonly rate: BackgroundRate;
  private readonly ticker: BackgroundTicker;
  private segmenter: Segmenter | null = null;
  private segmenting = false;
  private hasMask = false;
  private image: HTMLImageElement | null = null;
  private closed = false;

  constructor(
    input: MediaStreamTrack,
    private choice: BackgroundChoice,
    private imageUrl: string | null,
    segmenter: Promise<Segmenter>,
  ) {
    super();
    const settings = input.getSettings();
    const fps = Math.min(30, Math.max(5, Math.round(settings.frameRate ?? 30)));
    this.resize(settings.width ?? 640, settings.height ?? 360);
    this.rate = new BackgroundRate(fps);
    this.video.muted = true;
    this.video.playsInline = true;
    this.setInput(input);
    this.setChoice(choice, imageUrl);
    const stream = this.canvas.captureStream(fps);
    this.output = stream.getVideoTracks()[0]!;
    this.draw(); // a first frame at once: the background only
    segmenter.then(
      (s) => void (this.segmenter = s),
      (error: unknown) => !this.closed && this.emit('failed', error instanceof Error ? error : new Error(String(error))),
    );
    this.ticker = new BackgroundTicker(1000 / fps, () => this.tick());
  }

  /** Another camera (a device change): same output track. */
  setInput(track: MediaStreamTrack): void {
    if (this.closed) return;
    this.video.srcObject = new MediaStream([track]);
    void this.video.play().catch(() => undefined);
  }

  setChoice(choice: BackgroundChoice, imageUrl: string | null): void {
    this.choice = choice;
    if (imageUrl === this.imageUrl && this.image) return;
    this.imageUrl = imageUrl;
    this.image = null;
    if (!imageUrl) return;
    const image = new Image();
    image.decoding = 'async';
    image.onload = () => this.imageUrl === imageUrl && (this.image = image);
    image.src = imageUrl;
  }

  /** Frames per second produced and masks per second, over the last seconds. */
  figures(): BackgroundRateFigures {
    return this.rate.figures();
  }

  /** Stops the output track (not the camera's, which belongs to the caller). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticker.close();
    this.output.stop();
    this.video.srcObject = null;
    this.removeAllListeners();
  }

  private tick(): void {
    if (this.closed || this.video.readyState < 2) return;
    const now = performance.now();
    if (!this.rate.shouldPaint(now)) return;
    if (this.video.videoWidth && (this.video.videoWidth !== this.canvas.width || this.video.videoHeight !== this.canvas.height)) {
      this.resize(this.video.videoWidth, this.video.videoHeight);
    }
    if (this.segmenter && !this.segmenting && this.rate.shouldSegment(now)) this.segment(this.segmenter, now);
    this.draw();
    this.rate.painted(now, performance.now() - now);
    // Diagnostics for the benchmark and tests (scripts/bench/background.ts): the last figures.
    (globalThis as { __nomadesBackground?: unknown }).__nomadesBackground = this.rate.figures();
    if (this.rate.tooSlow()) this.emit('tooSlow', this.rate.figures());
  }

  private segment(segmenter: Segmenter, now: number): void {
    this.segmenting = true;
    this.picture.getContext('2d')!.drawImage(this.video, 0, 0, SEGMENT_WIDTH, SEGMENT_HEIGHT);
    segmenter.segment(this.picture, this.mask.getContext('2d')!).then(
      (ms) => {
        this.segmenting = false;
        this.hasMask = true;
        this.rate.segmented(now, ms);
      },
      (error: unknown) => {
        this.segmenting = false;
        if (!this.closed) this.emit('failed', error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private draw(): void {
    const { width, height } = this.canvas;
    const ctx = this.canvas.getContext('2d')!;
    ctx.globalCompositeOperation = 'source-over';
    const radius = blurRadius(this.choice);
    if (radius === null && this.image) drawCover(ctx, this.image, width, height);
    else this.drawBlurred(ctx, radius ?? 16);
    if (!this.hasMask || this.video.readyState < 2) return;
    const person = this.person.getContext('2d')!;
    person.globalCompositeOperation = 'copy';
    person.drawImage(this.mask, 0, 0, width, height);
    person.globalCompositeOperation = 'source-in';
    person.drawImage(this.video, 0, 0, width, height);
    ctx.drawImage(this.person, 0, 0);
  }

  /** Blur from a copy 4 times smaller (cheap, and softer), then scaled back up. */
  private drawBlurred(ctx: CanvasRenderingContext2D, radius: number): void {
    const small = this.blurred.getContext('2d')!;
    const scale = this.blurred.width / this.canvas.width;
    small.filter = `blur(${Math.max(1, radius * scale)}px)`;
    if (this.video.readyState >= 2) small.drawImage(this.video, 0, 0, this.blurred.width, this.blurred.height);
    else small.fillRect(0, 0, this.blurred.width, this.blurred.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.blurred, 0, 0, this.canvas.width, this.canvas.height);
  }

  private resize(width: number, height: number): void {
    this.canvas.width = this.person.width = width;
    this.canvas.height = this.person.height = height;
    this.blurred.width = Math.max(16, Math.round(width / 4));
    this.blurred.height = Math.max(9, Math.round(height / 4));
  }
}

function canvasOf(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/** The image over the whole picture, cropped to its proportions (CSS object-fit: cover). */
function drawCover(ctx: CanvasRenderingContext2D, image: HTMLImageElement, width: number, height: number): void {
  const scale = Math.max(width / image.naturalWidth, height / image.naturalHeight);
  const w = width / scale;
  const h = height / scale;
  ctx.drawImage(image, (image.naturalWidth - w) / 2, (image.naturalHeight - h) / 2, w, h, 0, 0, width, height);
}
