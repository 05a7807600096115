/**
 * A clock for the camera pipeline that keeps ticking when the tab is hidden: a page's own
 * timers and animation frames are throttled then (to once a second or not at all), which would
 * freeze the video the others see. The ticks come from a small worker (worker-src 'self');
 * where no worker can be made, from setInterval.
 */
export class BackgroundTicker {
  private worker: Worker | null = null;
  private interval: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(periodMs: number, onTick: () => void) {
    try {
      this.worker = new Worker(new URL('./BackgroundTicker.worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = () => !this.closed && onTick();
      this.worker.postMessage({ periodMs });
    } catch {
      this.interval = setInterval(onTick, periodMs);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker?.terminate();
    if (this.interval) clearInterval(this.interval);
  }
}
