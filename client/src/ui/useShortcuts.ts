import { useEffect, useRef, useState } from 'react';
import { shortcutOf, type ShortcutAction } from './shortcuts';

const STORAGE_KEY = 'nomades.shortcuts';

function storedEnabled(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Runs the meeting's shortcuts while mounted; whether they are on is the user's choice, kept. */
export function useShortcuts(run: (action: ShortcutAction) => void): { enabled: boolean; setEnabled: (on: boolean) => void } {
  const [enabled, setEnabledState] = useState(storedEnabled);
  const latest = useRef(run);
  latest.current = run;

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      const action = shortcutOf(event);
      // The help stays reachable when the other shortcuts are off (it is where they are turned on).
      if (!action || (!enabled && action !== 'help')) return;
      event.preventDefault();
      latest.current(action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled]);

  const setEnabled = (on: boolean): void => {
    setEnabledState(on);
    try {
      localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
    } catch {
      // private mode: for this page only
    }
  };
  return { enabled, setEnabled };
}
