/**
 * OWN-7: a meeting's invitation as an iCalendar file (RFC 5545): one VEVENT with the room's link
 * (URL, LOCATION, DESCRIPTION), times in UTC, a weekly RRULE when asked. Lines end with CRLF and
 * are folded at 75 octets without cutting a UTF-8 character (3.1); text is escaped (3.3.11).
 */
export interface CalendarInvite {
  /** Unique and stable for the room and its start: a calendar updates the event it already has. */
  uid: string;
  summary: string;
  url: string;
  start: Date;
  durationMin: number;
  weekly: boolean;
  /** The description's text before the link. */
  description: string;
  now?: Date;
}

/** 3.3.5 DATE-TIME in UTC: 19980119T070000Z. */
export function icsDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** 3.3.11 TEXT: backslash, semicolon, comma and line breaks escaped. */
export function icsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** 3.1: a content line longer than 75 octets goes on in lines that begin with one space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; the next ones 74 after their leading space.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function calendarInvite(invite: CalendarInvite): string {
  const end = new Date(invite.start.getTime() + invite.durationMin * 60_000);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//nomades-visio//Invitation//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${invite.uid}`,
    `DTSTAMP:${icsDate(invite.now ?? new Date())}`,
    `DTSTART:${icsDate(invite.start)}`,
    `DTEND:${icsDate(end)}`,
    ...(invite.weekly ? ['RRULE:FREQ=WEEKLY'] : []),
    `SUMMARY:${icsText(invite.summary)}`,
    `DESCRIPTION:${icsText(`${invite.description}\n${invite.url}`)}`,
    `LOCATION:${icsText(invite.url)}`,
    `URL:${invite.url}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
