import type { ReactNode } from 'react';
import { ariaKeys, type ShortcutAction } from './shortcuts';

interface Props {
  testId: string;
  icon: ReactNode;
  /** The word under the icon (hidden by the bar's CSS when it has no room; kept for screen readers). */
  text: string;
  /** The accessible name and tooltip when it says more than `text` ("Couper le micro" for "Couper"). */
  label?: string;
  /** A toggle's state (`aria-pressed`); undefined for a button whose name changes instead. */
  pressed?: boolean;
  /** Drawn as switched off (a muted microphone, a camera off). */
  off?: boolean;
  shortcut?: ShortcutAction;
  className?: string;
  onClick: () => void;
  children?: ReactNode;
}

/** One button of the control bar: an SVG icon, its word, its shortcut (LAY-2, UI-4). */
export function ControlButton({ testId, icon, text, label = text, pressed, off, shortcut, className, onClick, children }: Props) {
  const named = label !== text;
  return (
    <button
      type="button"
      data-testid={testId}
      className={['control', pressed && 'on', off && 'off', className].filter(Boolean).join(' ')}
      aria-pressed={pressed}
      aria-label={named ? label : undefined}
      aria-keyshortcuts={shortcut && ariaKeys(shortcut)}
      title={label}
      onClick={onClick}
    >
      {icon}
      <span aria-hidden={named || undefined}>{text}</span>
      {children}
    </button>
  );
}
