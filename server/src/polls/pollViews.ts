import type { PollView, QuestionView } from '@nomades/shared';
import type { LiveQuestion } from './RoomQuestions.js';
import type { LivePoll, RoomPolls } from './RoomPolls.js';

/** Who a view is for: hosts see drafts, hidden results, ballots and dismissed questions. */
export interface PollViewer {
  host: boolean;
  identity: string;
}

/**
 * A poll as `viewer` sees it (POLL-4/5/6), or null when they do not see it (a draft, to a
 * non-host). The tally is left out where the results are for hosts only; ballots (who voted what)
 * go to hosts only, and never for an anonymous poll.
 */
export function pollView(polls: RoomPolls, poll: LivePoll, viewer: PollViewer): PollView | null {
  if (poll.status === 'draft' && !viewer.host) return null;
  const showTally = viewer.host || poll.results === 'all';
  let tally: PollView['tally'] = null;
  if (showTally) {
    const counts = poll.options.map(() => 0);
    for (const ballot of poll.ballots.values()) for (const c of ballot.choices) if (c < counts.length) counts[c]++;
    tally = { counts, voters: poll.ballots.size };
  }
  return {
    id: poll.id,
    question: poll.question,
    kind: poll.kind,
    options: poll.options,
    anonymous: poll.anonymous,
    results: poll.results,
    status: poll.status,
    createdAt: poll.createdAt,
    tally,
    ...(viewer.host && !poll.anonymous ? { ballots: [...poll.ballots.values()].map((b) => ({ name: b.name ?? '', choices: b.choices })) } : {}),
    mine: polls.choicesOf(poll, viewer.identity),
  };
}

/**
 * A question as `viewer` sees it (QUESTION-n), or null once dismissed (QUESTION-3: hosts and its
 * asker keep seeing it). `peerIdOf` finds the asker in the meeting, for hosts (QUESTION-5).
 */
export function questionView(q: LiveQuestion, viewer: PollViewer, peerIdOf: (identity: string) => string | undefined): QuestionView | null {
  const mine = q.authorIdentity === viewer.identity;
  if (q.status === 'dismissed' && !viewer.host && !mine) return null;
  const authorPeerId = viewer.host ? peerIdOf(q.authorIdentity) : undefined;
  return {
    id: q.id,
    text: q.text,
    authorName: q.authorName,
    status: q.status,
    createdAt: q.createdAt,
    upvotes: q.upvoters.size,
    upvoted: q.upvoters.has(viewer.identity),
    mine,
    ...(authorPeerId ? { authorPeerId } : {}),
  };
}
