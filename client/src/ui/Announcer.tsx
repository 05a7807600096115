import './a11y.css';
import type { Announcement } from './useAnnouncements';

/**
 * The meeting's live region (WCAG 4.1.3): mounted with the room and kept while it changes, so
 * that a screen reader reads each new sentence once, politely, without moving the focus.
 */
export function Announcer({ announcements }: { announcements: readonly Announcement[] }) {
  return (
    <div className="sr-only" role="log" aria-live="polite" aria-relevant="additions" data-testid="announcer">
      {announcements.map((a) => (
        <p key={a.id}>{a.text}</p>
      ))}
    </div>
  );
}
