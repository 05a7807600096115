import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { POLL_LIMITS, type ErrorPayload } from '@nomades/shared';
import type { PollState } from '../media/PollState';
import { ClientError } from '../media/ClientError';

/** POLL-1: a host's form for a new poll (question, 2–10 answers, kinds and visibility). */
export function PollForm({ polls, onError, onDone }: { polls: PollState; onError: (e: ErrorPayload) => void; onDone: (text: string) => void }) {
  const { t } = useTranslation('polls');
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [hostsOnly, setHostsOnly] = useState(false);
  const [openNow, setOpenNow] = useState(true);
  const [busy, setBusy] = useState(false);
  const filled = options.map((o) => o.trim()).filter(Boolean);
  const valid = question.trim().length > 0 && filled.length >= POLL_LIMITS.minOptions && new Set(filled).size === filled.length;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    try {
      await polls.createPoll({ question: question.trim(), kind: multiple ? 'multiple' : 'single', options: filled, anonymous, results: hostsOnly ? 'hosts' : 'all', open: openNow });
      setQuestion('');
      setOptions(['', '']);
      onDone(t('create.created'));
    } catch (error) {
      onError(ClientError.from(error, 'INTERNAL').toPayload());
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="poll-form" data-testid="poll-form" onSubmit={(e) => void submit(e)} aria-labelledby="poll-form-heading">
      <h3 id="poll-form-heading">{t('create.heading')}</h3>
      <label className="field">
        <span>{t('create.question')}</span>
        <input data-testid="poll-question" value={question} maxLength={POLL_LIMITS.maxQuestionLength} onChange={(e) => setQuestion(e.target.value)} required />
      </label>
      <ol className="poll-options-edit">
        {options.map((option, i) => (
          <li key={i}>
            <label className="field">
              <span>{t('create.option', { n: i + 1 })}</span>
              <input
                data-testid="poll-option"
                value={option}
                maxLength={POLL_LIMITS.maxOptionLength}
                onChange={(e) => setOptions(options.map((o, j) => (j === i ? e.target.value : o)))}
              />
            </label>
            {options.length > POLL_LIMITS.minOptions && (
              <button type="button" className="small" data-testid="poll-remove-option" aria-label={t('create.removeOption', { n: i + 1 })} onClick={() => setOptions(options.filter((_, j) => j !== i))}>
                ×
              </button>
            )}
          </li>
        ))}
      </ol>
      {options.length < POLL_LIMITS.maxOptions && (
        <button type="button" className="small" data-testid="poll-add-option" onClick={() => setOptions([...options, ''])}>
          {t('create.addOption')}
        </button>
      )}
      <label className="check">
        <input type="checkbox" data-testid="poll-multiple" checked={multiple} onChange={(e) => setMultiple(e.target.checked)} /> {t('create.multiple')}
      </label>
      <label className="check">
        <input type="checkbox" data-testid="poll-anonymous" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} /> {t('create.anonymous')}
      </label>
      <label className="check">
        <input type="checkbox" data-testid="poll-hosts-only" checked={hostsOnly} onChange={(e) => setHostsOnly(e.target.checked)} /> {t('create.hostsOnly')}
      </label>
      <label className="check">
        <input type="checkbox" data-testid="poll-open-now" checked={openNow} onChange={(e) => setOpenNow(e.target.checked)} /> {t('create.openNow')}
      </label>
      <button type="submit" className="primary" data-testid="poll-submit" disabled={!valid || busy}>
        {t('create.submit')}
      </button>
    </form>
  );
}
