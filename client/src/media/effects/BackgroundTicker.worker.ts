// The camera pipeline's clock (BackgroundTicker.ts): a worker's timers are not throttled in a hidden tab.
const scope = self as unknown as { onmessage: ((event: MessageEvent<{ periodMs: number }>) => void) | null; postMessage(message: unknown): void };
let timer: ReturnType<typeof setInterval> | null = null;
scope.onmessage = (event) => {
  if (timer) clearInterval(timer);
  const periodMs = Math.max(10, Math.min(1000, Number(event.data.periodMs) || 33));
  timer = setInterval(() => scope.postMessage(0), periodMs);
};
