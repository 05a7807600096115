import { roomSettingsSchema, type RoomMember, type RoomSettings } from '@nomades/shared';

/** One row of the members table as it is being edited (`key`: a stable React key). */
export interface MemberRow extends RoomMember {
  key: number;
}

/** The settings form's state: co-owners as typed (one address per line), members as rows. */
export interface SettingsDraft {
  name: string;
  owners: string;
  members: MemberRow[];
  lobby: boolean;
  guestsAllowed: boolean;
  record: boolean;
}

/** Where the draft is wrong, for the form to say it beside the field: i18n keys of `auth:settings.problems`. */
export type SettingsProblem = { field: 'name' | 'owners' | `member-${number}`; problem: 'nameRequired' | 'ownerEmail' | 'memberEmail' | 'memberEmpty' | 'tooMany' };

let nextKey = 1;
export const newMemberRow = (): MemberRow => ({ key: nextKey++, kind: 'email', value: '', role: 'member' });

export function draftOf(settings: RoomSettings): SettingsDraft {
  return {
    name: settings.name,
    owners: settings.owners.join('\n'),
    members: settings.members.map((m) => ({ ...m, key: nextKey++ })),
    lobby: settings.lobby,
    guestsAllowed: settings.guestsAllowed,
    record: settings.record,
  };
}

/** The addresses of the co-owners field: one per line (commas and semicolons too, as pasted from a mail). */
export function ownersOf(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The settings to PUT, or the problems to show (checked by the shared schema as the server will). */
export function settingsOf(draft: SettingsDraft): { settings: RoomSettings } | { problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const owners = ownersOf(draft.owners);
  if (!draft.name.trim()) problems.push({ field: 'name', problem: 'nameRequired' });
  if (owners.some((o) => !EMAIL.test(o))) problems.push({ field: 'owners', problem: 'ownerEmail' });
  if (owners.length > 20) problems.push({ field: 'owners', problem: 'tooMany' });
  draft.members.forEach((m, i) => {
    if (!m.value.trim()) problems.push({ field: `member-${i}`, problem: 'memberEmpty' });
    else if (m.kind === 'email' && !EMAIL.test(m.value.trim())) problems.push({ field: `member-${i}`, problem: 'memberEmail' });
  });
  if (problems.length) return { problems };
  const parsed = roomSettingsSchema.safeParse({
    name: draft.name,
    owners,
    members: draft.members.map(({ kind, value, role }) => ({ kind, value, role })),
    lobby: draft.lobby,
    guestsAllowed: draft.guestsAllowed,
    record: draft.record,
  });
  if (parsed.success) return { settings: parsed.data };
  // What the checks above did not word (a value too long, too many members): the first field named.
  const path = parsed.error.issues[0]?.path ?? [];
  const field: SettingsProblem['field'] = path[0] === 'members' && typeof path[1] === 'number' ? `member-${path[1]}` : path[0] === 'owners' ? 'owners' : 'name';
  return { problems: [{ field, problem: path[0] === 'members' && path.length === 1 ? 'tooMany' : field === 'name' ? 'nameRequired' : field === 'owners' ? 'ownerEmail' : 'memberEmail' }] };
}
