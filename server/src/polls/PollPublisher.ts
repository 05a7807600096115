import { can, POLL_LIMITS } from '@nomades/shared';
import type { Peer } from '../rooms/Peer.js';
import { pollView, questionView, type PollViewer } from './pollViews.js';
import type { RoomPolls } from './RoomPolls.js';
import type { RoomQuestions } from './RoomQuestions.js';

/** What the publisher needs of the live room. */
export interface PollAudience {
  peers(): IterableIterator<Peer>;
}

/**
 * Pushes a room's poll and question changes to its peers, each as they may see them (POLL-4/5/6,
 * QUESTION-4), at most once per `intervalMs`: votes cast meanwhile are merged into one
 * `pollUpdated`. A vote reaches hosts, the voter, and everyone else only where the results are
 * public; a change of the poll itself reaches everyone who sees it. A poll's deletion is told at
 * once. After close() nothing is sent and no timer is left.
 */
export class PollPublisher {
  readonly #room: PollAudience;
  readonly #polls: RoomPolls;
  readonly #questions: RoomQuestions;
  readonly #intervalMs: number;
  /** Polls to publish: whether the poll itself changed, and who voted since the last push. */
  readonly #pendingPolls = new Map<string, { state: boolean; voters: Set<string> }>();
  readonly #pendingQuestions = new Set<string>();
  #timer?: NodeJS.Timeout;
  #closed = false;

  readonly #onPoll = (pollId: string, voter?: string): void => {
    let pending = this.#pendingPolls.get(pollId);
    if (!pending) this.#pendingPolls.set(pollId, (pending = { state: false, voters: new Set() }));
    if (voter === undefined) pending.state = true;
    else pending.voters.add(voter);
    this.#schedule();
  };

  readonly #onPollRemoved = (pollId: string): void => {
    this.#pendingPolls.delete(pollId);
    for (const peer of this.#room.peers()) peer.notify('pollRemoved', { pollId });
  };

  readonly #onQuestion = (questionId: string): void => {
    this.#pendingQuestions.add(questionId);
    this.#schedule();
  };

  constructor(room: PollAudience, polls: RoomPolls, questions: RoomQuestions, intervalMs: number = POLL_LIMITS.publishIntervalMs) {
    this.#room = room;
    this.#polls = polls;
    this.#questions = questions;
    this.#intervalMs = intervalMs;
    polls.on('changed', this.#onPoll);
    polls.on('removed', this.#onPollRemoved);
    questions.on('changed', this.#onQuestion);
  }

  /** Sends what changed since the last push (the timer calls it). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed) return;
    const peers = [...this.#room.peers()];
    const byIdentity = new Map(peers.map((p) => [p.identity, p.id]));
    for (const [pollId, pending] of this.#pendingPolls) {
      const poll = this.#polls.list().find((p) => p.id === pollId);
      if (!poll) continue;
      for (const peer of peers) {
        const viewer = viewerOf(peer);
        const view = pollView(this.#polls, poll, viewer);
        if (!view) continue;
        if (pending.state || viewer.host || view.tally !== null || pending.voters.has(peer.identity)) peer.notify('pollUpdated', { poll: view });
      }
    }
    this.#pendingPolls.clear();
    for (const questionId of this.#pendingQuestions) {
      const question = this.#questions.list().find((q) => q.id === questionId);
      if (!question) continue;
      for (const peer of peers) {
        const view = questionView(question, viewerOf(peer), (identity) => byIdentity.get(identity));
        if (view) peer.notify('questionUpdated', { question: view });
        else peer.notify('questionRemoved', { questionId });
      }
    }
    this.#pendingQuestions.clear();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#polls.off('changed', this.#onPoll);
    this.#polls.off('removed', this.#onPollRemoved);
    this.#questions.off('changed', this.#onQuestion);
  }
}

/** A peer as a viewer: its current role decides (a host promoted or demoted mid-meeting). */
export function viewerOf(peer: Peer): PollViewer {
  return { host: can(peer.role, 'poll'), identity: peer.identity };
}
