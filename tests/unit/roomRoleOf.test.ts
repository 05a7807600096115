import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoomMode } from '@nomades/shared';
import { passesLobby, relationOf, roleOf, type RoomRelation } from '../../server/src/auth/roomRoleOf.js';
import type { StoredMember } from '../../server/src/store/RoomMemberStore.js';

/** OWN-2 in docs/spec/auth.md: the relation and role a room gives a signed-in agent, as a table. */
const agent = { key: 'u:AAAAAAAAAAAAAAAAAAAAAA', email: 'camille.martin@ville.fr', groups: ['dsi', 'urbanisme'] };

const rows: Array<[string, StoredMember[], RoomRelation]> = [
  ['no entry', [], 'agent'],
  ['owner by agent key', [{ kind: 'agent', value: agent.key, role: 'owner' }], 'owner'],
  ['owner by email', [{ kind: 'email', value: agent.email, role: 'owner' }], 'owner'],
  ['another agent key owns it', [{ kind: 'agent', value: 'u:BBBBBBBBBBBBBBBBBBBBBB', role: 'owner' }], 'agent'],
  ['host by email', [{ kind: 'email', value: agent.email, role: 'host' }], 'host'],
  ['host by group', [{ kind: 'group', value: 'dsi', role: 'host' }], 'host'],
  ['member by email', [{ kind: 'email', value: agent.email, role: 'member' }], 'member'],
  ['member by group', [{ kind: 'group', value: 'urbanisme', role: 'member' }], 'member'],
  ['a group they are not in', [{ kind: 'group', value: 'finances', role: 'host' }], 'agent'],
  ['an email that is not theirs', [{ kind: 'email', value: 'paul@ville.fr', role: 'host' }], 'agent'],
  ['a group is never an owner', [{ kind: 'group', value: 'dsi', role: 'owner' }], 'agent'],
  ['a group spelled otherwise is another group', [{ kind: 'group', value: 'DSI', role: 'host' }], 'agent'],
  [
    'the strongest entry wins (member by email, host by group)',
    [
      { kind: 'email', value: agent.email, role: 'member' },
      { kind: 'group', value: 'dsi', role: 'host' },
    ],
    'host',
  ],
  [
    'owner beats host',
    [
      { kind: 'group', value: 'dsi', role: 'host' },
      { kind: 'agent', value: agent.key, role: 'owner' },
    ],
    'owner',
  ],
];

for (const [what, members, expected] of rows) {
  test(`OWN-2: ${what} → ${expected}`, () => {
    assert.is(relationOf(agent, members), expected);
  });
}

test('OWN-2: an agent without an email is matched by key and groups only', () => {
  const noEmail = { ...agent, email: null };
  assert.is(relationOf(noEmail, [{ kind: 'email', value: agent.email, role: 'owner' }]), 'agent');
  assert.is(relationOf(noEmail, [{ kind: 'group', value: 'dsi', role: 'member' }]), 'member');
});

test('OWN-2: an email given in capitals by the provider still matches (entries are lower-cased)', () => {
  assert.is(relationOf({ ...agent, email: 'Camille.Martin@Ville.FR' }, [{ kind: 'email', value: agent.email, role: 'host' }]), 'host');
});

const roles: Array<[RoomRelation, RoomMode, string, boolean]> = [
  ['owner', 'meeting', 'host', false],
  ['owner', 'webinar', 'host', false],
  ['host', 'meeting', 'host', false],
  ['host', 'webinar', 'host', false],
  ['member', 'meeting', 'participant', true],
  ['member', 'coffee', 'participant', true],
  ['member', 'webinar', 'attendee', true],
  ['agent', 'meeting', 'participant', false],
  ['agent', 'webinar', 'attendee', false],
];
for (const [relation, mode, role, lobbyPass] of roles) {
  test(`OWN-2: ${relation} in a ${mode} room joins as ${role}${lobbyPass ? ', past the lobby' : ''}`, () => {
    assert.is(roleOf(relation, mode), role);
    assert.is(passesLobby(relation), lobbyPass);
  });
}

test.run();
