import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError, POLL_LIMITS, type CreatePoll } from '@nomades/shared';
import type { StoredBallot, StoredPoll } from '../store/PollStore.js';
import { CreationClock } from './CreationClock.js';
import type { PollStorage } from './PollStorage.js';

/** A poll with its ballots, by voter key (identity, or its hash for an anonymous poll: POLL-6). */
export interface LivePoll extends StoredPoll {
  readonly ballots: Map<string, { name: string | null; choices: number[] }>;
}

/** Who acts: the token's `sub` (guests: their session's, POLL-3) and the name shown. */
export interface Voter {
  identity: string;
  name: string;
}

export type RoomPollsEvents = {
  /** A poll was created, opened, closed (`voter` undefined) or got a vote from `voter` (an identity). */
  changed: [pollId: string, voter?: string];
  removed: [pollId: string];
};

/**
 * The polls of one room (POLL-n in docs/spec/polls.md): created by a host, opened and closed,
 * voted on once per identity. Read from the store when the meeting opens (RoomRegistry), written
 * through on every change (PollStorage); every decision is synchronous, so two votes of one
 * identity can never both count. Rights are checked by the callers (pollHandlers).
 */
export class RoomPolls extends EventEmitter<RoomPollsEvents> {
  readonly roomId: string;
  readonly #polls = new Map<string, LivePoll>();
  readonly #storage?: PollStorage;
  readonly #clock = new CreationClock();

  constructor(roomId: string, stored: { polls: StoredPoll[]; ballots: StoredBallot[] }, storage?: PollStorage) {
    super();
    this.roomId = roomId;
    this.#storage = storage;
    for (const poll of stored.polls) {
      this.#polls.set(poll.id, { ...poll, ballots: new Map() });
      this.#clock.saw(poll.createdAt);
    }
    for (const b of stored.ballots) this.#polls.get(b.pollId)?.ballots.set(b.voter, { name: b.name, choices: b.choices });
  }

  /** Oldest first. */
  list(): LivePoll[] {
    return [...this.#polls.values()];
  }

  /** The poll, or NOT_FOUND (a draft counts only for hosts: `host`). */
  get(pollId: string, host = true): LivePoll {
    const poll = this.#polls.get(pollId);
    if (!poll || (!host && poll.status === 'draft')) throw new AppError('NOT_FOUND', 'no such poll in this room');
    return poll;
  }

  /** POLL-1, POLL-7: a new poll, a draft unless `open`; CONFLICT beyond maxPollsPerRoom. */
  create(data: CreatePoll, now = Date.now()): LivePoll {
    if (this.#polls.size >= POLL_LIMITS.maxPollsPerRoom) {
      throw new AppError('CONFLICT', `a room keeps at most ${POLL_LIMITS.maxPollsPerRoom} polls: delete one first`, {
        limit: 'pollsPerRoom',
        max: POLL_LIMITS.maxPollsPerRoom,
      });
    }
    const poll: LivePoll = {
      id: crypto.randomUUID(),
      roomId: this.roomId,
      question: data.question,
      kind: data.kind,
      options: data.options,
      anonymous: data.anonymous,
      results: data.results,
      status: data.open ? 'open' : 'draft',
      createdAt: this.#clock.next(now),
      ballots: new Map(),
    };
    this.#polls.set(poll.id, poll);
    const { ballots: _ballots, ...stored } = poll;
    this.#storage?.write(this.roomId, 'createPoll', (store) => store.savePoll(stored));
    this.emit('changed', poll.id);
    return poll;
  }

  /** POLL-2: open (from draft or closed) or close. */
  setStatus(pollId: string, status: 'open' | 'closed'): void {
    const poll = this.get(pollId);
    if (poll.status === status) return;
    if (status === 'closed' && poll.status === 'draft') throw new AppError('CONFLICT', 'a draft is opened before it is closed', { reason: 'pollNotOpen' });
    poll.status = status;
    const { ballots: _ballots, ...stored } = poll;
    this.#storage?.write(this.roomId, 'setPollStatus', (store) => store.savePoll(stored));
    this.emit('changed', pollId);
  }

  /** POLL-7: deletes a poll and its ballots. */
  delete(pollId: string): void {
    this.get(pollId);
    this.#polls.delete(pollId);
    this.#storage?.write(this.roomId, 'deletePoll', (store) => store.deletePoll(this.roomId, pollId));
    this.emit('removed', pollId);
  }

  /**
   * POLL-3: `voter`'s ballot replaces their earlier one while the poll is open (CONFLICT
   * `pollNotOpen` otherwise); single choice takes exactly one option (BAD_REQUEST).
   */
  vote(pollId: string, voter: Voter, choices: number[], now = Date.now()): void {
    const poll = this.get(pollId, false);
    if (poll.status !== 'open') throw new AppError('CONFLICT', 'this poll is not open for votes', { reason: 'pollNotOpen' });
    if (poll.kind === 'single' && choices.length !== 1) throw new AppError('BAD_REQUEST', 'a single-choice poll takes exactly one choice');
    if (choices.some((c) => c >= poll.options.length)) throw new AppError('BAD_REQUEST', `choices are option indexes below ${poll.options.length}`);
    const sorted = [...choices].sort((a, b) => a - b);
    const ballot: StoredBallot = { pollId, voter: this.voterKey(poll, voter.identity), name: poll.anonymous ? null : voter.name, choices: sorted, votedAt: now };
    poll.ballots.set(ballot.voter, { name: ballot.name, choices: sorted });
    this.#storage?.write(this.roomId, 'vote', (store) => store.saveBallot(this.roomId, ballot));
    this.emit('changed', pollId, voter.identity);
  }

  /** The choices `identity` made on `poll` (empty: none). */
  choicesOf(poll: LivePoll, identity: string): number[] {
    return poll.ballots.get(this.voterKey(poll, identity))?.choices ?? [];
  }

  /** POLL-6: an anonymous poll keeps no identity, only a hash of it salted with the poll's id. */
  voterKey(poll: StoredPoll, identity: string): string {
    if (!poll.anonymous) return identity;
    return crypto.createHash('sha256').update(`${poll.id}\0${identity}`).digest('base64url');
  }
}
