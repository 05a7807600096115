import { useState, type FormEvent } from 'react';
import type { ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { saveRoomSettings } from '../auth/agentApi';
import { draftOf, settingsOf, type SettingsDraft, type SettingsProblem } from '../auth/settingsForm';
import { ClientError } from '../media/ClientError';
import { describeError } from './errorMessages';
import { MembersEditor } from './MembersEditor';

interface Props {
  roomId: string;
  initial: SettingsDraft;
  ownersMayRecord: boolean;
  onSaved: () => void;
}

type Result = { kind: 'saved' } | { kind: 'problems'; count: number } | { kind: 'error'; error: ErrorPayload } | null;

/** OWN-3: name, co-owners, members, lobby, guests and recording (OWN-6), saved with `PUT …/settings`; the result in a live region. */
export function RoomSettingsForm({ roomId, initial, ownersMayRecord, onSaved }: Props) {
  const { t } = useTranslation('auth');
  const [draft, setDraft] = useState(initial);
  const [problems, setProblems] = useState<SettingsProblem[]>([]);
  const [result, setResult] = useState<Result>(null);
  const [saving, setSaving] = useState(false);
  const problemOf = (field: SettingsProblem['field']) => problems.find((p) => p.field === field);
  const change = (patch: Partial<SettingsDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const checked = settingsOf(draft);
    if ('problems' in checked) {
      setProblems(checked.problems);
      setResult({ kind: 'problems', count: checked.problems.length });
      // The first field to correct takes the focus once drawn invalid (its problem is its description).
      const form = event.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setProblems([]);
    setSaving(true);
    try {
      const kept = await saveRoomSettings(roomId, checked.settings);
      setDraft(draftOf(kept));
      setResult({ kind: 'saved' });
      onSaved();
    } catch (caught) {
      setResult({ kind: 'error', error: ClientError.from(caught, 'UNAVAILABLE').toPayload() });
    } finally {
      setSaving(false);
    }
  };

  const nameProblem = problemOf('name');
  const ownersProblem = problemOf('owners');
  return (
    <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
      <label className="field">
        <span>{t('settings.name')}</span>
        <input
          data-testid="settings-name"
          value={draft.name}
          required
          aria-invalid={nameProblem ? true : undefined}
          aria-describedby={nameProblem ? 'settings-name-problem' : undefined}
          onChange={(event) => change({ name: event.target.value })}
        />
      </label>
      {nameProblem && <p className="field-problem" id="settings-name-problem">{t(`settings.problems.${nameProblem.problem}`)}</p>}
      <label className="field">
        <span>{t('settings.owners')}</span>
        <textarea
          data-testid="settings-owners"
          value={draft.owners}
          rows={3}
          aria-invalid={ownersProblem ? true : undefined}
          aria-describedby={ownersProblem ? 'settings-owners-hint settings-owners-problem' : 'settings-owners-hint'}
          onChange={(event) => change({ owners: event.target.value })}
        />
      </label>
      <p className="hint" id="settings-owners-hint">{t('settings.ownersHint')}</p>
      {ownersProblem && <p className="field-problem" id="settings-owners-problem">{t(`settings.problems.${ownersProblem.problem}`)}</p>}
      <MembersEditor members={draft.members} problems={problems} onChange={(members) => change({ members })} />
      <fieldset className="switches">
        <legend>{t('settings.access')}</legend>
        <label className="check">
          <input type="checkbox" data-testid="settings-lobby" checked={draft.lobby} onChange={(event) => change({ lobby: event.target.checked })} />
          <span>{t('settings.lobby')}</span>
        </label>
        <label className="check">
          <input type="checkbox" data-testid="settings-guests" checked={draft.guestsAllowed} onChange={(event) => change({ guestsAllowed: event.target.checked })} />
          <span>{t('settings.guests')}</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            data-testid="settings-record"
            checked={draft.record}
            disabled={!ownersMayRecord}
            aria-describedby={ownersMayRecord ? undefined : 'settings-record-hint'}
            onChange={(event) => change({ record: event.target.checked })}
          />
          <span>{t('settings.record')}</span>
        </label>
        {!ownersMayRecord && <p className="hint" id="settings-record-hint">{t('settings.recordOperator')}</p>}
      </fieldset>
      <button type="submit" className="primary" data-testid="settings-save" disabled={saving}>
        {t('settings.save')}
      </button>
      <p role="status" className={result?.kind === 'problems' ? 'settings-result problems' : 'settings-result'} data-testid="settings-status">
        {result?.kind === 'saved' ? t('settings.saved') : result?.kind === 'problems' ? t('settings.problemsFound', { count: result.count }) : ''}
      </p>
      {result?.kind === 'error' && (
        <p className="notice error" role="alert" data-testid="settings-error" data-code={result.error.code}>
          {result.error.code === 'FORBIDDEN' ? t('settings.forbidden') : describeError(t, result.error)}
        </p>
      )}
    </form>
  );
}
