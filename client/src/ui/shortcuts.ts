/**
 * UI-4: the meeting's keyboard shortcuts, as in Jitsi: single keys without modifiers, active when
 * the focus is not in a text field or on the whiteboard (tldraw has keys of its own), and that the
 * user can turn off (WCAG 2.1.4). Leaving asks for a confirmation.
 */
export const SHORTCUTS = [
  { action: 'mic', key: 'm' },
  { action: 'camera', key: 'v' },
  { action: 'hand', key: 'r' },
  { action: 'chat', key: 'c' },
  { action: 'people', key: 'p' },
  { action: 'board', key: 'b' },
  { action: 'leave', key: 'q' },
  { action: 'help', key: '?' },
] as const;

export type ShortcutAction = (typeof SHORTCUTS)[number]['action'];

/** The `aria-keyshortcuts` value of an action ("M", "Shift+?"). */
export function ariaKeys(action: ShortcutAction): string {
  const key = SHORTCUTS.find((s) => s.action === action)!.key;
  return key === '?' ? 'Shift+?' : key.toUpperCase();
}

/** The action of a key press, or null: typing, a modifier, or a press meant for the whiteboard. */
export function shortcutOf(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'isComposing' | 'repeat'>): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.repeat) return null;
  const target = event.target as HTMLElement | null;
  // An open dialog has the keys; a dialog just closed may still hold the focus for a moment.
  if (target?.closest?.('input, textarea, select, [contenteditable="true"], .tl-container, dialog[open]')) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : '';
  return SHORTCUTS.find((s) => s.key === key)?.action ?? null;
}
