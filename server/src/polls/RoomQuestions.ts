import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError, POLL_LIMITS, type QuestionStatus } from '@nomades/shared';
import type { StoredQuestion, StoredUpvote } from '../store/PollStore.js';
import { CreationClock } from './CreationClock.js';
import type { PollStorage } from './PollStorage.js';
import type { Voter } from './RoomPolls.js';

/** A question with the identities that upvoted it. */
export interface LiveQuestion extends StoredQuestion {
  readonly upvoters: Set<string>;
}

export type RoomQuestionsEvents = {
  /** A question was asked, upvoted, answered, dismissed or opened again. */
  changed: [questionId: string];
};

/**
 * The questions of one room (QUESTION-n in docs/spec/polls.md): anyone in the meeting asks,
 * others upvote once each, hosts mark them answered or dismiss them. Persisted like the polls
 * (PollStorage); decisions synchronous. Rights are checked by the callers (pollHandlers).
 */
export class RoomQuestions extends EventEmitter<RoomQuestionsEvents> {
  readonly roomId: string;
  readonly #questions = new Map<string, LiveQuestion>();
  readonly #clock = new CreationClock();
  readonly #storage?: PollStorage;

  constructor(roomId: string, stored: { questions: StoredQuestion[]; upvotes: StoredUpvote[] }, storage?: PollStorage) {
    super();
    this.roomId = roomId;
    this.#storage = storage;
    for (const q of stored.questions) {
      this.#questions.set(q.id, { ...q, upvoters: new Set() });
      this.#clock.saw(q.createdAt);
    }
    for (const u of stored.upvotes) this.#questions.get(u.questionId)?.upvoters.add(u.identity);
  }

  /** Oldest first. */
  list(): LiveQuestion[] {
    return [...this.#questions.values()];
  }

  /** The question, or NOT_FOUND (a dismissed one counts only for hosts and its asker). */
  get(questionId: string, viewer?: { host: boolean; identity: string }): LiveQuestion {
    const q = this.#questions.get(questionId);
    const hidden = q && viewer && !viewer.host && q.status === 'dismissed' && q.authorIdentity !== viewer.identity;
    if (!q || hidden) throw new AppError('NOT_FOUND', 'no such question in this room');
    return q;
  }

  /** QUESTION-1, QUESTION-6: a new question; CONFLICT beyond the room's and the identity's caps. */
  ask(author: Voter, text: string, now = Date.now()): LiveQuestion {
    if (this.#questions.size >= POLL_LIMITS.maxQuestionsPerRoom) {
      throw new AppError('CONFLICT', `a room keeps at most ${POLL_LIMITS.maxQuestionsPerRoom} questions`, { limit: 'questionsPerRoom', max: POLL_LIMITS.maxQuestionsPerRoom });
    }
    let asked = 0;
    for (const q of this.#questions.values()) if (q.authorIdentity === author.identity) asked++;
    if (asked >= POLL_LIMITS.maxQuestionsPerIdentity) {
      throw new AppError('CONFLICT', `at most ${POLL_LIMITS.maxQuestionsPerIdentity} questions per person in a room`, {
        limit: 'questionsPerIdentity',
        max: POLL_LIMITS.maxQuestionsPerIdentity,
      });
    }
    const question: LiveQuestion = {
      id: crypto.randomUUID(),
      roomId: this.roomId,
      authorIdentity: author.identity,
      authorName: author.name,
      text,
      status: 'open',
      createdAt: this.#clock.next(now),
      upvoters: new Set(),
    };
    this.#questions.set(question.id, question);
    const { upvoters: _upvoters, ...stored } = question;
    this.#storage?.write(this.roomId, 'askQuestion', (store) => store.saveQuestion(stored));
    this.emit('changed', question.id);
    return question;
  }

  /** QUESTION-2: one upvote per identity on an open question, never on one's own; `up: false` takes it back. */
  upvote(questionId: string, identity: string, up: boolean, host: boolean): void {
    const q = this.get(questionId, { host, identity });
    if (q.authorIdentity === identity) throw new AppError('FORBIDDEN', 'you may not upvote your own question');
    if (q.status !== 'open') throw new AppError('CONFLICT', 'this question is no longer open', { reason: 'questionNotOpen' });
    if (q.upvoters.has(identity) === up) return;
    if (up) q.upvoters.add(identity);
    else q.upvoters.delete(identity);
    this.#storage?.write(this.roomId, 'upvote', (store) => store.setUpvote(this.roomId, { questionId, identity }, up));
    this.emit('changed', questionId);
  }

  /** QUESTION-3: answered, dismissed, or open again. */
  setStatus(questionId: string, status: QuestionStatus): void {
    const q = this.get(questionId);
    if (q.status === status) return;
    q.status = status;
    const { upvoters: _upvoters, ...stored } = q;
    this.#storage?.write(this.roomId, 'setQuestionStatus', (store) => store.saveQuestion(stored));
    this.emit('changed', questionId);
  }
}
