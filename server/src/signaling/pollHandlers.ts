import { AppError, POLL_LIMITS, type pollRequests } from '@nomades/shared';
import { assertRight } from '../moderation/assertRight.js';
import { Moderator } from '../moderation/Moderator.js';
import { pollView, questionView } from '../polls/pollViews.js';
import { viewerOf } from '../polls/PollPublisher.js';
import type { Peer } from '../rooms/Peer.js';
import type { RequestHandlers } from './requestHandlers.js';
import type { SessionContext } from './SessionContext.js';
import { TokenBucket } from './TokenBucket.js';

type PollHandlers = Pick<RequestHandlers, keyof typeof pollRequests>;

/** POLL-7, QUESTION-6: each peer's buckets (kept across a resume: the same Peer). */
const actionBuckets = new WeakMap<Peer, TokenBucket>();
const askBuckets = new WeakMap<Peer, TokenBucket>();

function take(buckets: WeakMap<Peer, TokenBucket>, peer: Peer, rate: number, burst: number, what: string): void {
  let bucket = buckets.get(peer);
  if (!bucket) buckets.set(peer, (bucket = new TokenBucket(rate, burst)));
  if (!bucket.take()) throw new AppError('RATE_LIMITED', `too many ${what}: at most ${burst} at once, then ${rate} per second`, { perSecond: rate, burst });
}

/** The joined room and peer, after the poll rate limit (every poll and question request counts). */
function acting(ctx: SessionContext) {
  const joined = ctx.joined();
  take(actionBuckets, joined.peer, POLL_LIMITS.actionsPerSecond, POLL_LIMITS.actionBurst, 'poll and question requests');
  return joined;
}

/** ...and checks that the peer's current role has the `poll` right (POLL-1, QUESTION-3). */
function asHost(ctx: SessionContext) {
  const joined = acting(ctx);
  assertRight(joined.peer.role, 'poll');
  return joined;
}

/**
 * Polls and questions (docs/spec/polls.md, POLL-n / QUESTION-n). Creating, opening, closing and
 * deleting polls, answering and dismissing questions and letting an asker speak need the `poll`
 * right (hosts); voting, asking and upvoting are open to everyone in the meeting, attendees too.
 * Who is counted is the identity (the token's `sub`; a guest's is its session's).
 */
export const pollHandlers: PollHandlers = {
  async pollsState(ctx) {
    const { room, peer } = acting(ctx);
    const viewer = viewerOf(peer);
    const byIdentity = new Map([...room.peers()].map((p) => [p.identity, p.id]));
    return {
      polls: room.polls.list().flatMap((p) => pollView(room.polls, p, viewer) ?? []),
      questions: room.questions.list().flatMap((q) => questionView(q, viewer, (identity) => byIdentity.get(identity)) ?? []),
    };
  },

  async createPoll(ctx, data) {
    const { room } = asHost(ctx);
    return { pollId: room.polls.create(data).id };
  },

  async setPollStatus(ctx, { pollId, status }) {
    asHost(ctx).room.polls.setStatus(pollId, status);
    return {};
  },

  async deletePoll(ctx, { pollId }) {
    asHost(ctx).room.polls.delete(pollId);
    return {};
  },

  async vote(ctx, { pollId, choices }) {
    const { room, peer } = acting(ctx);
    room.polls.vote(pollId, { identity: peer.identity, name: peer.displayName }, choices);
    return {};
  },

  async askQuestion(ctx, { text }) {
    const { room, peer } = acting(ctx);
    take(askBuckets, peer, POLL_LIMITS.asksPerSecond, POLL_LIMITS.askBurst, 'questions');
    return { questionId: room.questions.ask({ identity: peer.identity, name: peer.displayName }, text).id };
  },

  async upvoteQuestion(ctx, { questionId, up }) {
    const { room, peer } = acting(ctx);
    room.questions.upvote(questionId, peer.identity, up, viewerOf(peer).host);
    return {};
  },

  async setQuestionStatus(ctx, { questionId, status }) {
    asHost(ctx).room.questions.setStatus(questionId, status);
    return {};
  },

  /**
   * QUESTION-5: the asker, an attendee in the meeting, becomes a participant (MOD-6: the role
   * holds for their identity in this room); a participant or host already may speak.
   */
  async allowToSpeak(ctx, { questionId }) {
    const { room, peer } = asHost(ctx);
    const question = room.questions.get(questionId);
    const asker = [...room.peers()].find((p) => p.identity === question.authorIdentity);
    if (!asker) throw new AppError('NOT_FOUND', 'the person who asked is not in the meeting');
    if (asker.role === 'attendee') new Moderator(ctx.log).setRole(room, asker.id, 'participant', { peerId: peer.id });
    return {};
  },
};
