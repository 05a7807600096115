import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calendarInvite, foldLine, icsDate, icsText } from '../../server/src/auth/calendarInvite.js';

/** OWN-7 in docs/spec/auth.md: the invitation file against the rules of RFC 5545. */
const base = {
  uid: 'room-equipe-20261207T090000Z@visio.ville.fr',
  summary: 'Réunion de Camille Martin du 7 décembre',
  url: 'https://visio.ville.fr/room/reunion-de-camille-martin-du-7-decembre',
  start: new Date('2026-12-07T09:00:00.000Z'),
  durationMin: 60,
  weekly: true,
  description: 'Rejoindre la réunion :',
  now: new Date('2026-12-01T10:11:12.345Z'),
};

/** Unfolds (3.1) and splits into content lines. */
const contentLines = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n');

test('OWN-7: every line ends with CRLF, none longer than 75 octets, no bare LF', () => {
  const ics = calendarInvite({ ...base, summary: 'Équipe « urbanisme » '.repeat(10) });
  assert.ok(ics.endsWith('\r\n'));
  assert.not.match(ics, /[^\r]\n/);
  for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line, 'utf8') <= 75, line);
});

test('OWN-7: folding never cuts a UTF-8 character and unfolds to the same line', () => {
  const line = `SUMMARY:${'é'.repeat(100)}€€€${'x'.repeat(80)}`;
  const folded = foldLine(line);
  for (const part of folded.split('\r\n')) {
    assert.ok(Buffer.byteLength(part, 'utf8') <= 75);
    assert.not.ok(part.includes('\uFFFD'));
  }
  assert.is(folded.replace(/\r\n /g, ''), line);
  assert.is(foldLine('SHORT:line'), 'SHORT:line');
});

test('OWN-7: the event: UID, DTSTAMP, DTSTART and DTEND in UTC, weekly RRULE, URL, link in LOCATION and DESCRIPTION', () => {
  const lines = contentLines(calendarInvite(base));
  assert.is(lines[0], 'BEGIN:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0'));
  assert.ok(lines.some((l) => l.startsWith('PRODID:')));
  assert.ok(lines.includes(`UID:${base.uid}`));
  assert.ok(lines.includes('DTSTAMP:20261201T101112Z'));
  assert.ok(lines.includes('DTSTART:20261207T090000Z'));
  assert.ok(lines.includes('DTEND:20261207T100000Z'));
  assert.ok(lines.includes('RRULE:FREQ=WEEKLY'));
  assert.ok(lines.includes(`URL:${base.url}`));
  assert.ok(lines.includes(`LOCATION:${base.url}`));
  assert.ok(lines.includes(`DESCRIPTION:Rejoindre la réunion :\\n${base.url}`));
  assert.ok(lines.includes('SUMMARY:Réunion de Camille Martin du 7 décembre'));
  assert.equal(lines.slice(-3), ['END:VEVENT', 'END:VCALENDAR', '']);
  assert.is(lines.filter((l) => l === 'BEGIN:VEVENT').length, 1);
});

test('OWN-7: a single meeting has no RRULE', () => {
  assert.not.ok(contentLines(calendarInvite({ ...base, weekly: false })).some((l) => l.startsWith('RRULE')));
});

test('OWN-7: text is escaped (backslash, semicolon, comma, line breaks)', () => {
  assert.is(icsText('a\\b;c,d\ne\r\nf'), 'a\\\\b\\;c\\,d\\ne\\nf');
  const lines = contentLines(calendarInvite({ ...base, summary: 'Point; budget, 2027\nsuite' }));
  assert.ok(lines.includes('SUMMARY:Point\\; budget\\, 2027\\nsuite'));
});

test('OWN-7: dates are written in UTC whatever the zone they were given in', () => {
  assert.is(icsDate(new Date('2026-12-07T10:00:00+01:00')), '20261207T090000Z');
});

test.run();
