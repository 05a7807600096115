import { formatVttTimestamp } from '@nomades/shared';

/**
 * Times of the captions editor (CAP-8): shown as WebVTT writes them (`00:01:05.250`), typed as the
 * agent likes (`1:05.25`, `65,25`, `00:01:05.250`).
 */
export function formatCaptionTime(ms: number): string {
  return formatVttTimestamp(ms);
}

/** Milliseconds of a typed time, or null when it is none: `[[h:]m:]s[.mmm]`, `,` or `.` before the fraction. */
export function parseCaptionTime(text: string): number | null {
  const parts = text.trim().replace(',', '.').split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) return null;
  const seconds = parts.pop()!;
  if (!/^\d+(\.\d{1,3})?$/.test(seconds) || !parts.every((p) => /^\d+$/.test(p))) return null;
  const [hours, minutes] = parts.length === 2 ? parts.map(Number) : [0, Number(parts[0] ?? 0)];
  // Below a larger unit, minutes and seconds count up to 59 (as in WebVTT).
  if ((parts.length > 0 && Number(seconds) >= 60) || (parts.length === 2 && minutes! >= 60)) return null;
  return ((hours! * 60 + minutes!) * 60) * 1000 + Math.round(Number(seconds) * 1000);
}
