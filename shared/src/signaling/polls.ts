import { z } from 'zod';

/**
 * Polls and questions (POLL-n, QUESTION-n in docs/spec/polls.md): a host asks a single- or
 * multiple-choice question, the room votes; attendees ask written questions, the room upvotes,
 * hosts answer them. Merged into the request map of requests.ts and the notifications of
 * notifications.ts; the server's side is server/src/polls/.
 */
export const POLL_LIMITS = {
  /** POLL-1: sizes of a poll. */
  maxQuestionLength: 300,
  minOptions: 2,
  maxOptions: 10,
  maxOptionLength: 100,
  /** POLL-7: polls one room keeps (deleted ones do not count); the next is refused CONFLICT `pollsPerRoom`. */
  maxPollsPerRoom: 50,
  /** QUESTION-1: size of a question. */
  maxQuestionTextLength: 500,
  /** QUESTION-6: questions one room keeps; the next is refused CONFLICT `questionsPerRoom`. */
  maxQuestionsPerRoom: 500,
  /** QUESTION-6: questions one identity may have asked in a room. */
  maxQuestionsPerIdentity: 20,
  /** POLL-7: per peer, a token bucket over every poll and question request: sustained per second, and burst. */
  actionsPerSecond: 2,
  actionBurst: 10,
  /** QUESTION-6: per peer, questions asked: one every 10 s sustained, 3 at once. */
  asksPerSecond: 0.1,
  askBurst: 3,
  /** POLL-4: results and upvotes are pushed at most this often per room (votes in between are merged). */
  publishIntervalMs: 250,
} as const;

const id = z.string().min(1).max(64);
const empty = z.object({}).strict();
const trimmed = (max: number) => z.string().trim().min(1).max(max);

export const pollKindSchema = z.enum(['single', 'multiple']);
export type PollKind = z.infer<typeof pollKindSchema>;
/** POLL-5: who sees the results while the poll runs and after: everyone, or hosts only. */
export const pollResultsSchema = z.enum(['all', 'hosts']);
export type PollResultsVisibility = z.infer<typeof pollResultsSchema>;
/** POLL-2: a draft is seen by hosts only; an open poll takes votes; a closed one keeps them. */
export const pollStatusSchema = z.enum(['draft', 'open', 'closed']);
export type PollStatus = z.infer<typeof pollStatusSchema>;

export const createPollSchema = z
  .object({
    question: trimmed(POLL_LIMITS.maxQuestionLength),
    kind: pollKindSchema,
    options: z
      .array(trimmed(POLL_LIMITS.maxOptionLength))
      .min(POLL_LIMITS.minOptions)
      .max(POLL_LIMITS.maxOptions)
      .refine((options) => new Set(options).size === options.length, 'options must be distinct'),
    anonymous: z.boolean(),
    results: pollResultsSchema,
    /** Opened at once (default: a draft, opened later). */
    open: z.boolean().optional(),
  })
  .strict();
export type CreatePoll = z.infer<typeof createPollSchema>;

/** Choices of a vote: option indexes, distinct (POLL-3: exactly one for a single-choice poll). */
const choicesSchema = z
  .array(z.number().int().min(0).max(POLL_LIMITS.maxOptions - 1))
  .min(1)
  .max(POLL_LIMITS.maxOptions)
  .refine((c) => new Set(c).size === c.length, 'choices must be distinct');

/** One poll as one peer sees it (POLL-4/5/6). */
export const pollViewSchema = z.object({
  id,
  question: z.string(),
  kind: pollKindSchema,
  options: z.array(z.string()).min(POLL_LIMITS.minOptions).max(POLL_LIMITS.maxOptions),
  anonymous: z.boolean(),
  results: pollResultsSchema,
  status: pollStatusSchema,
  createdAt: z.number(),
  /** Votes per option and voters; null when the results are hidden from this peer (POLL-5). */
  tally: z.object({ counts: z.array(z.number().int().nonnegative()), voters: z.number().int().nonnegative() }).nullable(),
  /** POLL-6: who voted what, to hosts only and for a poll that is not anonymous. */
  ballots: z.array(z.object({ name: z.string(), choices: z.array(z.number().int()) })).optional(),
  /** This peer's own choices (empty: not voted). */
  mine: z.array(z.number().int()),
});
export type PollView = z.infer<typeof pollViewSchema>;

export const questionStatusSchema = z.enum(['open', 'answered', 'dismissed']);
export type QuestionStatus = z.infer<typeof questionStatusSchema>;

/** One question as one peer sees it (QUESTION-n). */
export const questionViewSchema = z.object({
  id,
  text: z.string(),
  authorName: z.string(),
  status: questionStatusSchema,
  createdAt: z.number(),
  upvotes: z.number().int().nonnegative(),
  /** This peer upvoted it. */
  upvoted: z.boolean(),
  /** This peer asked it. */
  mine: z.boolean(),
  /** To hosts: the asker's peer id while they are in the meeting (QUESTION-5, "allow to speak"). */
  authorPeerId: z.string().optional(),
});
export type QuestionView = z.infer<typeof questionViewSchema>;

export const pollRequests = {
  /** POLL-8: the room's polls and questions as this peer sees them (after join and resume). */
  pollsState: { request: empty, response: z.object({ polls: z.array(pollViewSchema), questions: z.array(questionViewSchema) }) },
  /** POLL-1: a host creates a poll (a draft unless `open`). */
  createPoll: { request: createPollSchema, response: z.object({ pollId: id }) },
  /** POLL-2: a host opens or closes a poll (a closed poll may be opened again). */
  setPollStatus: { request: z.object({ pollId: id, status: z.enum(['open', 'closed']) }).strict(), response: empty },
  /** POLL-7: a host deletes a poll and its votes. */
  deletePoll: { request: z.object({ pollId: id }).strict(), response: empty },
  /** POLL-3: a vote, or a changed vote, while the poll is open; one per identity. */
  vote: { request: z.object({ pollId: id, choices: choicesSchema }).strict(), response: empty },
  /** QUESTION-1: anyone in the meeting (webinar attendees too) asks a question. */
  askQuestion: { request: z.object({ text: trimmed(POLL_LIMITS.maxQuestionTextLength) }).strict(), response: z.object({ questionId: id }) },
  /** QUESTION-2: one upvote per identity (not one's own question); `up: false` takes it back. */
  upvoteQuestion: { request: z.object({ questionId: id, up: z.boolean() }).strict(), response: empty },
  /** QUESTION-3: a host marks a question answered, dismisses it, or opens it again. */
  setQuestionStatus: { request: z.object({ questionId: id, status: questionStatusSchema }).strict(), response: empty },
  /** QUESTION-5: a host lets the asker (a webinar attendee) speak: promoted to participant (MOD-6). */
  allowToSpeak: { request: z.object({ questionId: id }).strict(), response: empty },
} as const;

export const pollNotifications = {
  /** POLL-4: a poll changed (created, opened, closed, new results), as the receiving peer sees it. */
  pollUpdated: z.object({ poll: pollViewSchema }),
  /** POLL-7: a poll was deleted. */
  pollRemoved: z.object({ pollId: z.string() }),
  /** QUESTION-4: a question changed (asked, upvoted, answered), as the receiving peer sees it. */
  questionUpdated: z.object({ question: questionViewSchema }),
  /** QUESTION-3: a question this peer no longer sees (dismissed: hosts only keep seeing it). */
  questionRemoved: z.object({ questionId: z.string() }),
} as const;
