import { useEffect, useRef, useState } from 'react';
import { AUTH_LIMITS, type RoomMember } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { newMemberRow, type MemberRow, type SettingsProblem } from '../auth/settingsForm';

interface Props {
  members: MemberRow[];
  problems: SettingsProblem[];
  onChange: (members: MemberRow[]) => void;
}

/**
 * OWN-2, OWN-3: the room's members, each an email address or a group the provider names, joining
 * as host or as member. A row added takes the focus; a row removed gives it to the one before it
 * (or to "Ajouter"), so that the keyboard never falls back to the page's start.
 */
export function MembersEditor({ members, problems, onChange }: Props) {
  const { t } = useTranslation('auth');
  const [focus, setFocus] = useState<number | 'add' | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focus === null) return;
    if (focus === 'add') addRef.current?.focus();
    else document.getElementById(`member-value-${focus}`)?.focus();
    setFocus(null);
  }, [focus]);

  const update = (key: number, patch: Partial<RoomMember>) => onChange(members.map((m) => (m.key === key ? ({ ...m, ...patch } as MemberRow) : m)));
  const add = () => {
    const row = newMemberRow();
    onChange([...members, row]);
    setFocus(row.key);
  };
  const remove = (index: number) => {
    onChange(members.filter((_, i) => i !== index));
    setFocus(index > 0 ? members[index - 1]!.key : 'add');
  };

  return (
    <fieldset className="members" data-testid="settings-members">
      <legend>{t('members.legend')}</legend>
      <p className="hint">{t('members.hint')}</p>
      {members.length === 0 && <p className="hint">{t('members.none')}</p>}
      <ol className="member-rows">
        {members.map((member, index) => {
          const n = index + 1;
          const problem = problems.find((p) => p.field === `member-${index}`);
          return (
            <li key={member.key} className="member-row" data-testid="member-row">
              <label>
                <span className="sr-only">{t('members.kindOf', { n })}</span>
                <select data-testid="member-kind" value={member.kind} onChange={(event) => update(member.key, { kind: event.target.value as RoomMember['kind'] })}>
                  <option value="email">{t('members.kind.email')}</option>
                  <option value="group">{t('members.kind.group')}</option>
                </select>
              </label>
              <label>
                <span className="sr-only">{member.kind === 'email' ? t('members.emailOf', { n }) : t('members.groupOf', { n })}</span>
                <input
                  id={`member-value-${member.key}`}
                  data-testid="member-value"
                  type={member.kind === 'email' ? 'email' : 'text'}
                  value={member.value}
                  maxLength={member.kind === 'email' ? AUTH_LIMITS.maxEmailLength : AUTH_LIMITS.maxGroupLength}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `member-problem-${member.key}` : undefined}
                  onChange={(event) => update(member.key, { value: event.target.value })}
                />
              </label>
              <label>
                <span className="sr-only">{t('members.roleOf', { n })}</span>
                <select data-testid="member-role" value={member.role} onChange={(event) => update(member.key, { role: event.target.value as RoomMember['role'] })}>
                  <option value="member">{t('members.role.member')}</option>
                  <option value="host">{t('members.role.host')}</option>
                </select>
              </label>
              <button type="button" className="secondary" data-testid="member-remove" onClick={() => remove(index)}>
                {t('members.remove')}
                <span className="sr-only">{t('members.removeOf', { n })}</span>
              </button>
              {problem && (
                <p className="field-problem" id={`member-problem-${member.key}`}>
                  {t(`settings.problems.${problem.problem}`)}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <button type="button" ref={addRef} className="secondary" data-testid="member-add" disabled={members.length >= AUTH_LIMITS.maxMembersPerRoom} onClick={add}>
        {t('members.add')}
      </button>
    </fieldset>
  );
}
