import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, POLL_LIMITS } from '@nomades/shared';
import { RoomQuestions } from '../../server/src/polls/RoomQuestions.js';
import { RoomPolls } from '../../server/src/polls/RoomPolls.js';

/** QUESTION-6, POLL-7: the caps per identity and per room, without a server (the rate is tested over signaling). */
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? [error.code, error.params] : String(error);
  }
  return 'accepted';
};

test('QUESTION-6: 20 questions per identity, 500 per room, refused CONFLICT with the limit', () => {
  const questions = new RoomQuestions('r', { questions: [], upvotes: [] });
  for (let i = 0; i < POLL_LIMITS.maxQuestionsPerIdentity; i++) questions.ask({ identity: 'ada', name: 'Ada' }, `q${i}`);
  assert.equal(refusal(() => questions.ask({ identity: 'ada', name: 'Ada' }, 'one more')), ['CONFLICT', { limit: 'questionsPerIdentity', max: POLL_LIMITS.maxQuestionsPerIdentity }]);
  for (let i = questions.list().length; i < POLL_LIMITS.maxQuestionsPerRoom; i++) questions.ask({ identity: `p${i}`, name: 'P' }, `q${i}`);
  assert.equal(refusal(() => questions.ask({ identity: 'zoe', name: 'Zoé' }, 'late')), ['CONFLICT', { limit: 'questionsPerRoom', max: POLL_LIMITS.maxQuestionsPerRoom }]);
  assert.is(questions.list().length, POLL_LIMITS.maxQuestionsPerRoom);
});

test('POLL-3, POLL-6: a ballot per identity, replaced; an anonymous poll keys it by a hash, with no name', () => {
  const polls = new RoomPolls('r', { polls: [], ballots: [] });
  const named = polls.create({ question: 'Q', kind: 'single', options: ['a', 'b'], anonymous: false, results: 'all', open: true });
  const anonymous = polls.create({ question: 'Q', kind: 'multiple', options: ['a', 'b'], anonymous: true, results: 'all', open: true });
  for (const poll of [named, anonymous]) {
    polls.vote(poll.id, { identity: 'ada', name: 'Ada' }, [0]);
    polls.vote(poll.id, { identity: 'ada', name: 'Ada' }, [1]);
    assert.is(poll.ballots.size, 1);
    assert.equal(polls.choicesOf(poll, 'ada'), [1]);
  }
  assert.equal([...named.ballots.entries()], [['ada', { name: 'Ada', choices: [1] }]]);
  const [[key, ballot]] = [...anonymous.ballots.entries()];
  assert.is.not(key, 'ada');
  assert.is(ballot.name, null);
});

test.run();
