import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { authErrorCodeSchema, type PublicRoomInfo } from '@nomades/shared';
import { authErrorOf, calendarHref, localDateTimeValue, loginHref, nextFullHour, retrySignIn, safeReturnTo } from '../../client/src/auth/authLinks.js';
import { draftOf, newMemberRow, ownersOf, settingsOf, type SettingsDraft } from '../../client/src/auth/settingsForm.js';
import { guestsAllowedIn } from '../../client/src/media/roomInfo.js';

/** The web client's pure pieces of sign-in (AUTH-3, AUTH-14, OWN-3, OWN-5, OWN-7); the journey itself: tests/e2e/signin*.browser.test.ts. */

test('AUTH-3 in the client: only a same-origin path is asked as returnTo, anything else is home', () => {
  assert.is(safeReturnTo('/room/point-hebdo'), '/room/point-hebdo');
  assert.is(safeReturnTo('/'), '/');
  for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'room/x', '']) assert.is(safeReturnTo(bad), '/', bad);
  assert.is(loginHref('/room/a b'), '/auth/login?returnTo=%2Froom%2Fa%20b');
  assert.is(loginHref('//evil.example'), '/auth/login?returnTo=%2F');
});

test('AUTH-14: the error page reads a known code only; all but not_allowed and not_configured offer to sign in again', () => {
  for (const code of authErrorCodeSchema.options) assert.is(authErrorOf(`?code=${code}`), code);
  assert.is(authErrorOf('?code=<script>'), null);
  assert.is(authErrorOf(''), null);
  assert.ok(retrySignIn('second_factor_required'));
  assert.ok(retrySignIn('session_expired'));
  assert.ok(retrySignIn(null), 'an unknown failure: trying again is what one can do');
  assert.not.ok(retrySignIn('not_allowed'), 'signing in again changes nothing: home');
  assert.not.ok(retrySignIn('not_configured'));
});

test('OWN-7: the calendar link carries weekly, the start as ISO time and the duration; the default start is the next full hour', () => {
  const start = new Date('2026-12-08T09:00:00.000Z');
  const weekly = new URL(calendarHref('point-hebdo', { weekly: true, start, durationMin: 45 }), 'http://x');
  assert.is(weekly.pathname, '/api/rooms/point-hebdo/calendar.ics');
  assert.is(weekly.searchParams.get('weekly'), '1');
  assert.is(weekly.searchParams.get('start'), '2026-12-08T09:00:00.000Z');
  assert.is(weekly.searchParams.get('durationMin'), '45');
  assert.is(new URL(calendarHref('r', { weekly: false, start, durationMin: 60 }), 'http://x').searchParams.get('weekly'), null);
  const next = nextFullHour(new Date(2026, 11, 7, 19, 24, 31));
  assert.is(localDateTimeValue(next), '2026-12-07T20:00');
  assert.is(new Date(localDateTimeValue(next)).getTime(), next.getTime(), 'the input value reads back as the same local time');
});

const draft = (patch: Partial<SettingsDraft> = {}): SettingsDraft => ({
  ...draftOf({ name: 'Point hebdo', owners: ['a@ville.fr'], members: [], lobby: true, guestsAllowed: false, record: false }),
  ...patch,
});

test('OWN-3: the settings form gives the body of PUT …/settings, co-owners one per line (commas pasted from a mail too)', () => {
  assert.equal(ownersOf(' a@ville.fr\nb@ville.fr, c@ville.fr;\n\n'), ['a@ville.fr', 'b@ville.fr', 'c@ville.fr']);
  const row = { ...newMemberRow(), kind: 'group' as const, value: ' dasco-equipe ', role: 'host' as const };
  const checked = settingsOf(draft({ owners: 'a@ville.fr\nb@ville.fr', members: [row] }));
  assert.ok('settings' in checked);
  if ('settings' in checked) {
    assert.equal(checked.settings, {
      name: 'Point hebdo',
      owners: ['a@ville.fr', 'b@ville.fr'],
      members: [{ kind: 'group', value: 'dasco-equipe', role: 'host' }],
      lobby: true,
      guestsAllowed: false,
      record: false,
    });
  }
  const back = draftOf({ name: 'x', owners: ['a@ville.fr'], members: [{ kind: 'email', value: 'b@ville.fr', role: 'member' }], lobby: false, guestsAllowed: true, record: true });
  assert.is(new Set(back.members.map((m) => m.key)).size, 1, 'rows get keys');
});

test('OWN-3: a missing name, a co-owner or member that is not an address, an empty row: each named on its field', () => {
  const bad = settingsOf(
    draft({
      name: '  ',
      owners: 'a@ville.fr\nnot-an-address',
      members: [
        { ...newMemberRow(), value: 'b@ville.fr' },
        { ...newMemberRow(), value: 'pas une adresse' },
        { ...newMemberRow(), value: '' },
        { ...newMemberRow(), kind: 'group', value: 'a group, any text' },
      ],
    }),
  );
  assert.ok('problems' in bad);
  if ('problems' in bad) {
    assert.equal(bad.problems, [
      { field: 'name', problem: 'nameRequired' },
      { field: 'owners', problem: 'ownerEmail' },
      { field: 'member-1', problem: 'memberEmail' },
      { field: 'member-2', problem: 'memberEmpty' },
    ]);
  }
  const tooLong = settingsOf(draft({ members: [{ ...newMemberRow(), kind: 'group', value: 'g'.repeat(300) }] }));
  assert.ok('problems' in tooLong && tooLong.problems[0]!.field === 'member-0', 'what the shared schema refuses is named too');
});

test('OWN-5: the guest path is offered unless the room says guests are not allowed', () => {
  const info = { id: 'r', name: 'r', agentRoom: true } as PublicRoomInfo;
  assert.is(guestsAllowedIn({ ...info, guestsAllowed: false }), false);
  assert.is(guestsAllowedIn({ ...info, guestsAllowed: true }), true);
  assert.is(guestsAllowedIn(null), true, 'information unavailable: as today (the guest request answers)');
});

test.run();
