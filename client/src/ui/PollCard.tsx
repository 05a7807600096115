import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorPayload, PollView } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import type { PollState } from '../media/PollState';

interface Props {
  poll: PollView;
  polls: PollState;
  host: boolean;
  roomId: string;
  token: string;
  onError: (e: ErrorPayload) => void;
  onDone: (text: string) => void;
}

/**
 * One poll: its ballot while open (a radio group, or checkboxes for several answers, in a
 * fieldset named by the question), its results where we may see them, and a host's actions.
 */
export function PollCard({ poll, polls, host, roomId, token, onError, onDone }: Props) {
  const { t } = useTranslation('polls');
  const [choices, setChoices] = useState<number[]>(poll.mine);
  const [editing, setEditing] = useState(false);
  const voted = poll.mine.length > 0;
  const ballotShown = poll.status === 'open' && (!voted || editing);
  const run = (action: () => Promise<void>, done?: string) => () =>
    void action().then(
      () => done && onDone(done),
      (error: unknown) => onError(ClientError.from(error, 'INTERNAL').toPayload()),
    );

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (choices.length === 0) return;
    run(async () => {
      await polls.vote(poll.id, choices);
      setEditing(false);
    }, t('voted'))();
  };
  const toggle = (i: number, on: boolean): void =>
    setChoices(poll.kind === 'single' ? [i] : on ? [...choices.filter((c) => c !== i), i] : choices.filter((c) => c !== i));

  const exportCsv = async (): Promise<void> => {
    const res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/polls/${encodeURIComponent(poll.id)}.csv`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new ClientError('UNAVAILABLE', `export: ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `sondage-${poll.id.slice(0, 8)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const titleId = `poll-title-${poll.id}`;
  const total = poll.tally?.voters ?? 0;
  return (
    <article className="poll" data-testid="poll" data-poll-id={poll.id} data-status={poll.status} aria-labelledby={titleId}>
      <h4 id={titleId}>{poll.question}</h4>
      <p className="hint">
        {[t(`status.${poll.status}`), t(`kind.${poll.kind}`), poll.anonymous ? t('anonymousTag') : null, poll.results === 'hosts' ? t('hostsOnlyTag') : null].filter(Boolean).join(' · ')}
      </p>
      {ballotShown && (
        <form onSubmit={submit}>
          <fieldset className="poll-ballot">
            <legend className="sr-only">{poll.question}</legend>
            {poll.options.map((option, i) => (
              <label key={i} className="check">
                <input
                  type={poll.kind === 'single' ? 'radio' : 'checkbox'}
                  name={`poll-${poll.id}`}
                  data-testid="poll-choice"
                  value={i}
                  checked={choices.includes(i)}
                  onChange={(e) => toggle(i, e.target.checked)}
                />{' '}
                {option}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary small" data-testid="poll-vote" disabled={choices.length === 0}>
            {t('vote')}
          </button>
        </form>
      )}
      {voted && !ballotShown && poll.status === 'open' && (
        <button type="button" className="small" data-testid="poll-change-vote" onClick={() => setEditing(true)}>
          {t('changeVote')}
        </button>
      )}
      {poll.tally ? (
        <div role="group" aria-label={t('resultsLabel', { question: poll.question })}>
          <ul className="poll-results" data-testid="poll-results">
            {poll.options.map((option, i) => {
              const count = poll.tally!.counts[i] ?? 0;
              const percent = total > 0 ? Math.round((count / total) * 100) : 0;
              return (
                <li key={i} data-testid="poll-result" data-count={count} className={poll.mine.includes(i) ? 'mine' : undefined}>
                  <span className="poll-option">{option}</span>
                  <span className="poll-count">
                    {t('votes', { count })} ({t('percent', { percent })})
                  </span>
                  <meter min={0} max={100} value={percent} aria-hidden="true" />
                </li>
              );
            })}
          </ul>
          <p className="hint" data-testid="poll-voters">{t('voters', { count: total })}</p>
        </div>
      ) : (
        poll.status !== 'draft' && <p className="hint">{t('resultsHidden')}</p>
      )}
      {host && poll.ballots && poll.ballots.length > 0 && (
        <details>
          <summary>{t('ballots')}</summary>
          <ul className="poll-ballots">
            {poll.ballots.map((b, i) => (
              <li key={i}>
                {t("ballotLine", { name: b.name, choices: b.choices.map((c) => poll.options[c]).join(", ") })}
              </li>
            ))}
          </ul>
        </details>
      )}
      {host && (
        <div className="poll-actions">
          {poll.status !== 'open' && (
            <button type="button" className="small" data-testid="poll-open" onClick={run(() => polls.setPollStatus(poll.id, 'open'))}>
              {poll.status === 'draft' ? t('open') : t('reopen')}
            </button>
          )}
          {poll.status === 'open' && (
            <button type="button" className="small" data-testid="poll-close" onClick={run(() => polls.setPollStatus(poll.id, 'closed'))}>
              {t('close')}
            </button>
          )}
          <button type="button" className="small" data-testid="poll-export" aria-label={t('exportLabel', { question: poll.question })} onClick={run(exportCsv)}>
            {t('export')}
          </button>
          <button type="button" className="small" data-testid="poll-delete" aria-label={t('deleteLabel', { question: poll.question })} onClick={run(() => polls.deletePoll(poll.id))}>
            {t('delete')}
          </button>
        </div>
      )}
    </article>
  );
}
