/** Stands in for a video that is off: the participant's initials and name. */
export function Avatar({ name }: { name: string }) {
  const initials =
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]?.toUpperCase())
      .join('') || '?';
  return (
    <div className="avatar" data-testid="video-placeholder">
      <span aria-hidden="true">{initials}</span>
    </div>
  );
}
