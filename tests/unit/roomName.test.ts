import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LIMITS, roomIdSchema, slugifyRoomName } from '@nomades/shared';

// NAME-1 (docs/spec/sharing.md): the id a human name gives.

test('NAME-1: accents, apostrophes, spaces and case become a plain slug', () => {
  assert.is(slugifyRoomName("Réunion d'équipe DASCO"), 'reunion-d-equipe-dasco');
  assert.is(slugifyRoomName('Réunion d’équipe — DASCO'), 'reunion-d-equipe-dasco', 'typographic apostrophe and dash');
  assert.is(slugifyRoomName('  Conseil municipal  (2e adjoint) '), 'conseil-municipal-2e-adjoint');
  assert.is(slugifyRoomName('Cœur de ville, Œuvres & Straße'), 'coeur-de-ville-oeuvres-strasse');
  assert.is(slugifyRoomName('ÇA VA? Ÿes — Noël à l’Hôtel-de-Ville'), 'ca-va-yes-noel-a-l-hotel-de-ville');
  assert.is(slugifyRoomName('e\u0301te\u0301'), 'ete', 'already decomposed accents');
});

test('NAME-1: stable, idempotent, and always a valid room id (or empty)', () => {
  const names = ["Réunion d'équipe DASCO", 'a', '---', '日本語の会議', '🎉 Fête 🎉', 'x'.repeat(500), `${'abc-'.repeat(30)}`, 'Équipe_42'];
  for (const name of names) {
    const slug = slugifyRoomName(name);
    assert.is(slugifyRoomName(name), slug, `stable for ${name}`);
    assert.is(slugifyRoomName(slug), slug, `idempotent for ${name}`);
    assert.ok(slug.length <= LIMITS.maxIdLength, `at most ${LIMITS.maxIdLength}: ${slug.length}`);
    if (slug) assert.ok(roomIdSchema.safeParse(slug).success, `a valid room id: ${slug}`);
    assert.not.match(slug, /^-|-$|--/, `no dash at an end nor doubled: ${slug}`);
  }
  assert.is(slugifyRoomName('日本語の会議'), '', 'no a-z/0-9 character: empty (the API generates an id)');
  assert.is(slugifyRoomName('🎉 Fête 🎉'), 'fete');
  assert.is(slugifyRoomName('Équipe_42'), 'equipe-42', 'underscore is a separator too');
  assert.is(slugifyRoomName('x'.repeat(500)).length, LIMITS.maxIdLength, 'cut to the longest id');
  assert.is(slugifyRoomName('abc-'.repeat(30)), 'abc-'.repeat(16).slice(0, -1), 'a cut that ends on "-" drops it');
});

test.run();
