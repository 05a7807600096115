import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { POLL_LIMITS, type ErrorPayload, type QuestionView, type Role } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import type { PollState } from '../media/PollState';

interface Props {
  questions: readonly QuestionView[];
  polls: PollState;
  host: boolean;
  /** The current role of a peer in the meeting (to offer "let speak" to attendees only). */
  roleOf: (peerId: string) => Role | undefined;
  onError: (e: ErrorPayload) => void;
  onDone: (text: string) => void;
}

/** QUESTION-n: ask, upvote (a toggle button), and for hosts answer, dismiss, let speak. Most upvoted first. */
export function QuestionsSection({ questions, polls, host, roleOf, onError, onDone }: Props) {
  const { t } = useTranslation('polls');
  const [draft, setDraft] = useState('');
  const run = (action: () => Promise<void>, done?: string) => () =>
    void action().then(
      () => done && onDone(done),
      (error: unknown) => onError(ClientError.from(error, 'INTERNAL').toPayload()),
    );
  const ask = (e: FormEvent): void => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    run(async () => {
      await polls.ask(text);
      setDraft('');
    }, t('ask.sent'))();
  };
  const order = { open: 0, answered: 1, dismissed: 2 } as const;
  const sorted = [...questions].sort((a, b) => order[a.status] - order[b.status] || b.upvotes - a.upvotes || a.createdAt - b.createdAt);

  return (
    <section className="questions" aria-labelledby="questions-heading">
      <h3 id="questions-heading">{t('questionsHeading')}</h3>
      <form className="question-form" onSubmit={ask}>
        <label className="field">
          <span>{t('ask.label')}</span>
          <textarea
            data-testid="question-input"
            rows={2}
            maxLength={POLL_LIMITS.maxQuestionTextLength}
            placeholder={t('ask.placeholder')}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        <button type="submit" className="primary small" data-testid="question-submit" disabled={!draft.trim()}>
          {t('ask.submit')}
        </button>
      </form>
      <ul className="question-list">
        {sorted.map((q) => (
          <li key={q.id} className="question" data-testid="question" data-question-id={q.id} data-status={q.status}>
            <p className="question-text">{q.text}</p>
            <p className="hint">
              {q.mine ? t('you') : q.authorName} · {t(`qstatus.${q.status}`)} · {t('upvotes', { count: q.upvotes })}
            </p>
            <div className="question-actions">
              {!q.mine && q.status === 'open' && (
                <button
                  type="button"
                  className="small"
                  data-testid="question-upvote"
                  aria-pressed={q.upvoted}
                  aria-label={t('upvoteLabel', { name: q.authorName, count: q.upvotes })}
                  onClick={run(() => polls.upvote(q.id, !q.upvoted))}
                >
                  {t('upvote')}
                </button>
              )}
              {host && q.status !== 'answered' && (
                <button type="button" className="small" data-testid="question-answered" onClick={run(() => polls.setQuestionStatus(q.id, 'answered'))}>
                  {t('markAnswered')}
                </button>
              )}
              {host && q.status !== 'dismissed' && (
                <button type="button" className="small" data-testid="question-dismiss" onClick={run(() => polls.setQuestionStatus(q.id, 'dismissed'))}>
                  {t('dismiss')}
                </button>
              )}
              {host && q.status !== 'open' && (
                <button type="button" className="small" data-testid="question-reopen" onClick={run(() => polls.setQuestionStatus(q.id, 'open'))}>
                  {t('reopenQuestion')}
                </button>
              )}
              {host && q.authorPeerId && roleOf(q.authorPeerId) === 'attendee' && (
                <button
                  type="button"
                  className="small"
                  data-testid="question-allow-speak"
                  aria-label={t('allowSpeakLabel', { name: q.authorName })}
                  onClick={run(() => polls.allowToSpeak(q.id), t('allowed', { name: q.authorName }))}
                >
                  {t('allowSpeak')}
                </button>
              )}
            </div>
          </li>
        ))}
        {sorted.length === 0 && <li className="hint">{t('noQuestions')}</li>}
      </ul>
    </section>
  );
}
