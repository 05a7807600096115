import { useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { can, type ErrorPayload, type Role } from '@nomades/shared';
import type { PollState } from '../media/PollState';
import { describeError } from './errorMessages';
import { PollCard } from './PollCard';
import { PollForm } from './PollForm';
import { QuestionsSection } from './QuestionsSection';
import './polls.css';

interface Props {
  polls: PollState;
  role: Role;
  roomId: string;
  token: string;
  roleOf: (peerId: string) => Role | undefined;
}

/**
 * "Sondages et questions" (POLL-n, QUESTION-n in docs/spec/polls.md), a tab of the side column:
 * hosts create and run polls; everyone votes, asks and upvotes. What we did is confirmed, and a
 * refusal said, in the panel's own status line (role="status"); new polls and questions reach the
 * meeting's live region (useAnnouncements).
 */
export function PollsPanel({ polls, role, roomId, token, roleOf }: Props) {
  const { t } = useTranslation('polls');
  const state = useSyncExternalStore(polls.subscribe, polls.getSnapshot);
  const [status, setStatus] = useState<{ text: string; code?: string } | null>(null);
  const host = can(role, 'poll');
  const onError = (e: ErrorPayload): void => setStatus({ text: t('error', { error: describeError(t, e) }), code: e.code });
  const onDone = (text: string): void => setStatus({ text });
  const shown = host ? state.polls : state.polls.filter((p) => p.status !== 'draft');

  return (
    <section className="polls-panel" data-testid="polls-panel" aria-label={t('tab')}>
      <p className="polls-status hint" role="status" data-testid="polls-status" data-code={status?.code}>
        {status?.text}
      </p>
      {host && <PollForm polls={polls} onError={onError} onDone={onDone} />}
      <section aria-labelledby="polls-heading">
        <h3 id="polls-heading">{t('pollsHeading')}</h3>
        {shown.length === 0 && <p className="hint">{t('noPolls')}</p>}
        {[...shown].reverse().map((poll) => (
          <PollCard key={poll.id} poll={poll} polls={polls} host={host} roomId={roomId} token={token} onError={onError} onDone={onDone} />
        ))}
      </section>
      <QuestionsSection questions={state.questions} polls={polls} host={host} roleOf={roleOf} onError={onError} onDone={onDone} />
    </section>
  );
}
