import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LIMITS } from '@nomades/shared';
import { readableRoomName, roomCandidates } from '../../server/src/auth/agentRoomName.js';

/** OWN-1 in docs/spec/auth.md: the readable name of a new room and its free ids. */
test('OWN-1: "Réunion de <name> du <day month>", the day in Paris time', () => {
  assert.is(readableRoomName('Camille Martin', new Date('2026-12-07T10:00:00Z')), 'Réunion de Camille Martin du 7 décembre');
  assert.is(readableRoomName('Camille Martin', new Date('2026-12-07T10:00:00Z'), 'coffee'), 'Café de Camille Martin du 7 décembre');
  // 23:30 UTC on 31 December is already 1 January in Paris.
  assert.is(readableRoomName('Léa Petit', new Date('2026-12-31T23:30:00Z')), 'Réunion de Léa Petit du 1 janvier');
  assert.ok(readableRoomName('x'.repeat(200)).length <= LIMITS.maxRoomNameLength);
});

test('OWN-1: the candidates: the slug, then suffixed ids and names, each id within the id limit', () => {
  const candidates = [...roomCandidates('Réunion de Camille Martin du 7 décembre', 3)];
  assert.equal(candidates, [
    { id: 'reunion-de-camille-martin-du-7-decembre', name: 'Réunion de Camille Martin du 7 décembre' },
    { id: 'reunion-de-camille-martin-du-7-decembre-2', name: 'Réunion de Camille Martin du 7 décembre (2)' },
    { id: 'reunion-de-camille-martin-du-7-decembre-3', name: 'Réunion de Camille Martin du 7 décembre (3)' },
  ]);
  for (const c of roomCandidates('Très long nom '.repeat(20), 12)) {
    assert.ok(c.id.length <= LIMITS.maxIdLength, c.id);
    assert.ok(c.name.length <= LIMITS.maxRoomNameLength);
    assert.match(c.id, /^[a-z0-9-]+$/);
    assert.not.match(c.id, /--|^-|-$/);
  }
  const long = [...roomCandidates('Très long nom '.repeat(20), 12)];
  assert.is(new Set(long.map((c) => c.id)).size, 12, 'all different');
  assert.is([...roomCandidates('!!!', 1)][0].id, 'reunion', 'a name without letters still gives an id');
});

test.run();
