import { useEffect, useRef, type RefObject } from 'react';
import type { TileViewport } from '../media/VideoSubscriptions';

/**
 * Reports whether an element is on screen and how wide it is, on change only (debounced), so
 * the client receives only the videos it shows, at the size it shows them.
 */
export function useTileViewport(ref: RefObject<HTMLElement | null>, onChange: ((viewport: TileViewport) => void) | undefined): void {
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    const element = ref.current;
    if (!element || !callback.current) return;
    let visible = true;
    let width = element.clientWidth;
    let last = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Round the width so that small resizes do not flood the server.
        const viewport = { visible, width: Math.round(width / 40) * 40 };
        const key = JSON.stringify(viewport);
        if (key !== last) {
          last = key;
          callback.current?.(viewport);
        }
      }, 250);
    };
    const intersection = new IntersectionObserver(([entry]) => {
      visible = entry.isIntersecting;
      report();
    });
    const resize = new ResizeObserver(([entry]) => {
      width = entry.contentRect.width;
      report();
    });
    intersection.observe(element);
    resize.observe(element);
    report();
    return () => {
      clearTimeout(timer);
      intersection.disconnect();
      resize.disconnect();
    };
  }, [ref]);
}
