/** A recording's date, in the agent's language ("2 décembre 2026 à 14:05"). */
export function formatRecordingDate(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
}

/** A duration in the agent's language ("3 minutes et 5 secondes", "1 heure et 2 minutes"), at least a second. */
export function formatDuration(ms: number, language: string): string {
  const total = Math.max(1, Math.round(ms / 1000));
  const parts: Array<[number, 'hour' | 'minute' | 'second']> = [
    [Math.floor(total / 3600), 'hour'],
    [Math.floor((total % 3600) / 60), 'minute'],
    [total % 60, 'second'],
  ];
  const words = parts
    .filter(([value], i) => value > 0 && !(i === 2 && total >= 3600))
    .map(([value, unit]) => new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'long' }).format(value));
  return new Intl.ListFormat(language, { style: 'long', type: 'conjunction' }).format(words);
}
