/** Why background effects cannot be offered here, or null when they can. */
export type BackgroundUnavailable = 'operatorOff' | 'browserUnsupported';

/** What the pipeline needs of the browser, by name (the picker names the missing ones). */
export const BACKGROUND_CAPABILITIES = ['webAssembly', 'webgl2', 'canvasCapture', 'canvasFilter'] as const;
export type BackgroundCapability = (typeof BACKGROUND_CAPABILITIES)[number];

let cached: { unavailable: BackgroundUnavailable | null; missing: BackgroundCapability[] } | undefined;

/**
 * The operator's switch (BACKGROUND_EFFECTS=off, written by the server into the page as
 * `<html data-background-effects="off">`), then what the pipeline needs of the browser:
 * WebAssembly, a WebGL 2 context (the segmentation's image conversions), canvas.captureStream()
 * and the canvas `filter` (blur). Chromium and Firefox ESR (115+) have them all when they have a
 * graphics driver; Firefox gives no WebGL without a display (headless), or with WebGL turned off
 * (webgl.disabled) or blocked for the machine's driver (tests/e2e/firefox.browser.test.ts).
 */
export function backgroundUnavailable(): BackgroundUnavailable | null {
  return support().unavailable;
}

/** The capabilities this browser lacks for the effects (empty when it has them all, or the operator turned them off). */
export function missingBackgroundCapabilities(): BackgroundCapability[] {
  return support().missing;
}

function support(): NonNullable<typeof cached> {
  if (cached) return cached;
  if (document.documentElement.dataset.backgroundEffects === 'off') return (cached = { unavailable: 'operatorOff', missing: [] });
  const canvas = document.createElement('canvas');
  const has: Record<BackgroundCapability, () => boolean> = {
    webAssembly: () => typeof WebAssembly === 'object',
    webgl2: () => Boolean(canvas.getContext('webgl2')),
    canvasCapture: () => typeof canvas.captureStream === 'function',
    canvasFilter: () => 'filter' in CanvasRenderingContext2D.prototype,
  };
  const missing = BACKGROUND_CAPABILITIES.filter((c) => !has[c]());
  return (cached = { unavailable: missing.length > 0 ? 'browserUnsupported' : null, missing });
}
