import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { roomIdOf } from '../../client/src/media/roomIdOf.js';
import { pickLocale } from '../../client/src/i18n/pickLocale.js';
import { shortcutOf } from '../../client/src/ui/shortcuts.js';

// UI-1: which language the client speaks.
test('UI-1: the user\'s own choice first, then the browser\'s first language we speak, then the server default, then French', () => {
  assert.is(pickLocale('en', ['fr-FR'], 'fr'), 'en', 'a choice made on this device wins');
  assert.is(pickLocale(null, ['fr-CA', 'en-US'], 'en'), 'fr', 'regional variants count');
  assert.is(pickLocale(null, ['de-DE', 'en-GB', 'fr'], 'fr'), 'en', 'the first spoken one in the preference order');
  assert.is(pickLocale(null, ['de-DE', 'it'], 'en'), 'en', 'none spoken: the server default');
  assert.is(pickLocale('xx', ['de'], null), 'fr', 'nothing usable: French');
  assert.is(pickLocale(null, [], 'klingon'), 'fr', 'an unknown default is ignored');
});

// NAME-1 in the client: what the agent typed or followed.
test('NAME-1: a valid id is kept as it is; a human name goes to its slug; nothing usable gives null', () => {
  assert.is(roomIdOf('point-hebdo'), 'point-hebdo');
  assert.is(roomIdOf(' Team_3 '), 'Team_3', 'a valid id, even with capitals and "_", is not rewritten');
  assert.is(roomIdOf("Réunion d'équipe DASCO"), 'reunion-d-equipe-dasco');
  assert.is(roomIdOf('日本語'), null);
  assert.is(roomIdOf('   '), null);
});

// UI-4: when a key press is a shortcut.
test('UI-4: single keys without modifiers, never while typing, on the board or in a dialog', () => {
  const el = (selector: string | null) => ({ closest: (s: string) => (selector && s.split(', ').includes(selector) ? {} : null) });
  const press = (key: string, target: unknown, mods: Partial<KeyboardEvent> = {}) =>
    shortcutOf({ key, ctrlKey: false, metaKey: false, altKey: false, isComposing: false, repeat: false, target: target as EventTarget, ...mods });
  assert.is(press('m', el(null)), 'mic');
  assert.is(press('M', el(null)), 'mic', 'caps lock');
  assert.is(press('?', el(null)), 'help');
  assert.is(press('q', el(null)), 'leave');
  assert.is(press('m', el('textarea')), null, 'typing in the chat');
  assert.is(press('m', el('input')), null);
  assert.is(press('v', el('.tl-container')), null, 'tldraw\'s own keys on the board');
  assert.is(press('m', el('dialog[open]')), null, 'in an open dialog');
  assert.is(press('m', el('dialog')), 'mic', 'the focus still in a dialog that just closed');
  assert.is(press('m', el(null), { ctrlKey: true }), null, 'Ctrl+M is the browser\'s');
  assert.is(press('m', el(null), { repeat: true }), null, 'a held key toggles once');
  assert.is(press('x', el(null)), null);
  assert.is(press('Enter', el(null)), null);
});

test.run();
