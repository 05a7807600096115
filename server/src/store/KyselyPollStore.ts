import type { Kysely } from 'kysely';
import { pollKindSchema, pollResultsSchema, pollStatusSchema, questionStatusSchema } from '@nomades/shared';
import type { PollStore, StoredBallot, StoredPoll, StoredPolls, StoredQuestion, StoredUpvote } from './PollStore.js';
import type { Tables } from './Tables.js';

/** Polls and questions in the polls, poll_ballots, questions and question_upvotes tables (migration 009). */
export class KyselyPollStore implements PollStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async load(roomId: string): Promise<StoredPolls> {
    const rows = await this.#db.transaction().execute(async (trx) => ({
      polls: await trx.selectFrom('polls').selectAll().where('room_id', '=', roomId).orderBy('created_at').orderBy('id').execute(),
      ballots: await trx.selectFrom('poll_ballots').selectAll().where('room_id', '=', roomId).orderBy('voted_at').execute(),
      questions: await trx.selectFrom('questions').selectAll().where('room_id', '=', roomId).orderBy('created_at').orderBy('id').execute(),
      upvotes: await trx.selectFrom('question_upvotes').select(['question_id', 'identity']).where('room_id', '=', roomId).execute(),
    }));
    // A value this version does not know (a newer schema's) skips its row rather than trust it.
    const polls = rows.polls.flatMap((r): StoredPoll[] => {
      const kind = pollKindSchema.safeParse(r.kind);
      const results = pollResultsSchema.safeParse(r.results);
      const status = pollStatusSchema.safeParse(r.status);
      if (!kind.success || !results.success || !status.success) return [];
      const options = JSON.parse(r.options) as string[];
      return [{ id: r.id, roomId, question: r.question, kind: kind.data, options, anonymous: r.anonymous === 1, results: results.data, status: status.data, createdAt: Number(r.created_at) }];
    });
    const questions = rows.questions.flatMap((r): StoredQuestion[] => {
      const status = questionStatusSchema.safeParse(r.status);
      if (!status.success) return [];
      return [{ id: r.id, roomId, authorIdentity: r.author_identity, authorName: r.author_name, text: r.text, status: status.data, createdAt: Number(r.created_at) }];
    });
    return {
      polls,
      ballots: rows.ballots.map((r) => ({ pollId: r.poll_id, voter: r.voter, name: r.name, choices: JSON.parse(r.choices) as number[], votedAt: Number(r.voted_at) })),
      questions,
      upvotes: rows.upvotes.map((r) => ({ questionId: r.question_id, identity: r.identity })),
    };
  }

  async savePoll(poll: StoredPoll): Promise<void> {
    const row = {
      id: poll.id,
      room_id: poll.roomId,
      question: poll.question,
      kind: poll.kind,
      options: JSON.stringify(poll.options),
      anonymous: poll.anonymous ? 1 : 0,
      results: poll.results,
      status: poll.status,
      created_at: poll.createdAt,
    };
    await this.#db.insertInto('polls').values(row).onConflict((oc) => oc.column('id').doUpdateSet({ status: poll.status })).execute();
  }

  async deletePoll(roomId: string, pollId: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('poll_ballots').where('room_id', '=', roomId).where('poll_id', '=', pollId).execute();
      await trx.deleteFrom('polls').where('room_id', '=', roomId).where('id', '=', pollId).execute();
    });
  }

  async saveBallot(roomId: string, ballot: StoredBallot): Promise<void> {
    const choices = JSON.stringify(ballot.choices);
    await this.#db
      .insertInto('poll_ballots')
      .values({ poll_id: ballot.pollId, room_id: roomId, voter: ballot.voter, name: ballot.name, choices, voted_at: ballot.votedAt })
      .onConflict((oc) => oc.columns(['poll_id', 'voter']).doUpdateSet({ choices, name: ballot.name, voted_at: ballot.votedAt }))
      .execute();
  }

  async saveQuestion(q: StoredQuestion): Promise<void> {
    const row = { id: q.id, room_id: q.roomId, author_identity: q.authorIdentity, author_name: q.authorName, text: q.text, status: q.status, created_at: q.createdAt };
    await this.#db.insertInto('questions').values(row).onConflict((oc) => oc.column('id').doUpdateSet({ status: q.status })).execute();
  }

  async setUpvote(roomId: string, upvote: StoredUpvote, up: boolean): Promise<void> {
    if (up) {
      await this.#db
        .insertInto('question_upvotes')
        .values({ question_id: upvote.questionId, room_id: roomId, identity: upvote.identity })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    await this.#db.deleteFrom('question_upvotes').where('question_id', '=', upvote.questionId).where('identity', '=', upvote.identity).execute();
  }
}
