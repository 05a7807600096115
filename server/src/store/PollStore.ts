import type { PollKind, PollResultsVisibility, PollStatus, QuestionStatus } from '@nomades/shared';

/** A poll as stored (POLL-9 in docs/spec/polls.md); times in Unix milliseconds. */
export interface StoredPoll {
  id: string;
  roomId: string;
  question: string;
  kind: PollKind;
  options: string[];
  anonymous: boolean;
  results: PollResultsVisibility;
  status: PollStatus;
  createdAt: number;
}

/**
 * One identity's vote on a poll (POLL-3). `voter` is the identity (the token's `sub`), or for an
 * anonymous poll a hash of it salted with the poll's id (POLL-6); `name` is null then.
 */
export interface StoredBallot {
  pollId: string;
  voter: string;
  name: string | null;
  choices: number[];
  votedAt: number;
}

/** A question (QUESTION-n); the asker's identity lets them be recognised (mine, allow to speak). */
export interface StoredQuestion {
  id: string;
  roomId: string;
  authorIdentity: string;
  authorName: string;
  text: string;
  status: QuestionStatus;
  createdAt: number;
}

export interface StoredUpvote {
  questionId: string;
  identity: string;
}

export interface StoredPolls {
  polls: StoredPoll[];
  ballots: StoredBallot[];
  questions: StoredQuestion[];
  upvotes: StoredUpvote[];
}

/**
 * Persistence of a room's polls and questions (KyselyPollStore), read when its meeting opens and
 * written through on every change (PollStorage orders the writes per room). Methods reject on a
 * storage failure. A deleted room's rows go with Store.deleteRoomRows (ROOM-7).
 */
export interface PollStore {
  /** Everything of the room, polls and questions oldest first. */
  load(roomId: string): Promise<StoredPolls>;
  /** Inserts a poll, or updates its status. */
  savePoll(poll: StoredPoll): Promise<void>;
  /** Deletes a poll and its ballots. */
  deletePoll(roomId: string, pollId: string): Promise<void>;
  /** Inserts or replaces `ballot.voter`'s ballot (one per voter and poll). */
  saveBallot(roomId: string, ballot: StoredBallot): Promise<void>;
  /** Inserts a question, or updates its status. */
  saveQuestion(question: StoredQuestion): Promise<void>;
  /** Adds (`up`) or removes an identity's upvote. */
  setUpvote(roomId: string, upvote: StoredUpvote, up: boolean): Promise<void>;
}
