import { useSyncExternalStore } from 'react';

/** Whether a CSS media query matches now, updated when it changes (a rotated phone, a zoom). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
  );
}

/** Where the stage is narrow enough that the side column becomes a sheet under it (styles.css). */
export const NARROW_QUERY = '(max-width: 700px)';
/** A touch screen as the main pointer: a phone or a tablet (camera flip). */
export const TOUCH_QUERY = '(pointer: coarse)';

/** The browser can share a screen (no getDisplayMedia on most phones' browsers). */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}
