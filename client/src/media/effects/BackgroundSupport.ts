/** Why background effects cannot be offered here, or null when they can. */
export type BackgroundUnavailable = 'operatorOff' | 'browserUnsupported';

let cached: BackgroundUnavailable | null | undefined;

/**
 * The operator's switch (BACKGROUND_EFFECTS=off, written by the server into the page as
 * `<html data-background-effects="off">`), then what the pipeline needs of the browser:
 * WebAssembly, a WebGL 2 context (the segmentation's image conversions), canvas.captureStream()
 * and the canvas `filter` (blur). Chromium and Firefox ESR (115+) have them all.
 */
export function backgroundUnavailable(): BackgroundUnavailable | null {
  if (cached !== undefined) return cached;
  if (document.documentElement.dataset.backgroundEffects === 'off') return (cached = 'operatorOff');
  const canvas = document.createElement('canvas');
  const ok =
    typeof WebAssembly === 'object' &&
    typeof canvas.captureStream === 'function' &&
    'filter' in CanvasRenderingContext2D.prototype &&
    Boolean(canvas.getContext('webgl2'));
  return (cached = ok ? null : 'browserUnsupported');
}
