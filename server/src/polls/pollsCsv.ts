import type { StoredBallot, StoredPoll } from '../store/PollStore.js';

/**
 * POLL-10: one poll as a CSV file (RFC 4180: commas, CRLF, quotes doubled; a UTF-8 byte order
 * mark so that spreadsheets read the accents). First the poll and its tally, then, for a poll
 * that is not anonymous only, one row per voter with a 1 under each option they chose. A cell a
 * spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return) is
 * prefixed with an apostrophe (CSV injection).
 */
export function pollsCsv(poll: StoredPoll, ballots: StoredBallot[]): string {
  const counts = poll.options.map(() => 0);
  for (const b of ballots) for (const c of b.choices) if (c < counts.length) counts[c]++;
  const rows: string[][] = [
    ['question', poll.question],
    ['type', poll.kind],
    ['anonymous', poll.anonymous ? 'yes' : 'no'],
    ['status', poll.status],
    ['created', new Date(poll.createdAt).toISOString()],
    ['voters', String(ballots.length)],
    [],
    ['option', 'votes'],
    ...poll.options.map((option, i) => [option, String(counts[i])]),
  ];
  if (!poll.anonymous) {
    rows.push([], ['name', 'voted', ...poll.options]);
    const byName = [...ballots].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'fr') || a.votedAt - b.votedAt);
    for (const b of byName) rows.push([b.name ?? '', new Date(b.votedAt).toISOString(), ...poll.options.map((_, i) => (b.choices.includes(i) ? '1' : '0'))]);
  }
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** One cell: neutralised if a spreadsheet would run it, quoted if it holds a comma, quote or line break. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
