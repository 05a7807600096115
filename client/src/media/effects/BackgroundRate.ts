/** Segmentation may keep the main thread busy this fraction of the time at most. */
export const MAX_BUSY = 0.5;
/** Below this many masks a second, the person trails behind their mask: the effect is turned off. */
export const MIN_SEGMENT_FPS = 2;
/** Below this fraction of the camera's frame rate, the sent video stutters: the effect is turned off. */
export const MIN_FPS_RATIO = 0.4;
/** Figures are judged over windows this long; this many bad windows in a row turn the effect off. */
export const WINDOW_MS = 2000;
export const BAD_WINDOWS = 3;
/** The lowered rate of the first fallback: frames painted per second at most (at least MIN_PAINT_FPS). */
export const MIN_PAINT_FPS = 8;
/** The first masks pay for the model's start (compilation, first inference): not counted. */
const WARM_UP_MASKS = 2;

export interface BackgroundRateFigures {
  targetFps: number;
  /** Frames painted per second over the last window. */
  fps: number;
  /** Masks per second over the last window. */
  segmentFps: number;
  /** Time one mask takes (moving average, ms). */
  segmentMs: number;
  /** Time one composited frame takes (moving average, ms). */
  paintMs: number;
  /** The first fallback (half the painting rate) is in force. */
  lowered: boolean;
}

/**
 * The frame budget of the camera pipeline: when to paint a frame (at the camera's rate), when to
 * compute a new mask (as often as fits in MAX_BUSY of the time, never more than once a frame: a
 * slow machine gets fewer masks, the frames in between reuse the last one), and what to do when
 * the budget is not met (BAD_WINDOWS windows in a row below MIN_SEGMENT_FPS masks or MIN_FPS_RATIO
 * of the camera's frame rate): first paint at half the rate (MIN_PAINT_FPS at least), which
 * leaves the main thread more time for masks; then give up (tooSlow).
 * Pure arithmetic on the times it is given (unit-tested).
 */
export class BackgroundRate {
  private frameMs: number;
  private lowered = false;
  private segmentIntervalMs: number;
  private segmentMs = 0;
  private paintMs = 0;
  private masks = 0;
  private nextPaint = -Infinity;
  private lastSegment = -Infinity;
  private windowStart: number;
  private windowPaints = 0;
  private windowMasks = 0;
  private last = { fps: 0, segmentFps: 0 };
  private badWindows = 0;

  constructor(
    private readonly targetFps: number,
    now = performance.now(),
  ) {
    this.frameMs = 1000 / targetFps;
    this.segmentIntervalMs = this.frameMs;
    this.windowStart = now;
  }

  shouldPaint(now: number): boolean {
    return now >= this.nextPaint - this.frameMs * 0.25; // a tick a little early still paints (timers jitter)
  }

  shouldSegment(now: number): boolean {
    return now - this.lastSegment >= this.segmentIntervalMs - this.frameMs * 0.25;
  }

  /** A mask started at `startedAt` took `ms`. */
  segmented(startedAt: number, ms: number): void {
    this.lastSegment = startedAt;
    this.masks += 1;
    this.windowMasks += 1;
    if (this.masks <= WARM_UP_MASKS) return;
    this.segmentMs = this.masks === WARM_UP_MASKS + 1 ? ms : this.segmentMs * 0.8 + ms * 0.2;
    this.segmentIntervalMs = Math.max(this.frameMs, this.segmentMs / MAX_BUSY);
  }

  /** A frame was painted at `now`, taking `ms`. */
  painted(now: number, ms: number): void {
    this.nextPaint = Math.max(this.nextPaint, now - this.frameMs) + this.frameMs; // on average, the target rate
    this.windowPaints += 1;
    this.paintMs = this.paintMs === 0 ? ms : this.paintMs * 0.9 + ms * 0.1;
    if (now - this.windowStart < WINDOW_MS) return;
    const seconds = (now - this.windowStart) / 1000;
    this.last = { fps: this.windowPaints / seconds, segmentFps: this.windowMasks / seconds };
    this.windowStart = now;
    this.windowPaints = 0;
    this.windowMasks = 0;
    if (this.masks <= WARM_UP_MASKS) return; // still starting
    const slow = this.last.segmentFps < MIN_SEGMENT_FPS || this.last.fps < this.targetFps * MIN_FPS_RATIO;
    this.badWindows = slow ? this.badWindows + 1 : 0;
    if (this.badWindows >= BAD_WINDOWS && !this.lowered) {
      this.lowered = true;
      this.badWindows = 0;
      this.frameMs = 1000 / Math.max(MIN_PAINT_FPS, Math.min(this.targetFps, this.targetFps / 2));
      this.segmentIntervalMs = Math.max(this.frameMs, this.segmentMs / MAX_BUSY);
    }
  }

  /** The first fallback is in force (a lower painting rate). */
  get isLowered(): boolean {
    return this.lowered;
  }

  tooSlow(): boolean {
    return this.lowered && this.badWindows >= BAD_WINDOWS;
  }

  figures(): BackgroundRateFigures {
    const round = (n: number) => Math.round(n * 10) / 10;
    return { targetFps: this.targetFps, fps: round(this.last.fps), segmentFps: round(this.last.segmentFps), segmentMs: round(this.segmentMs), paintMs: round(this.paintMs), lowered: this.lowered };
  }
}
