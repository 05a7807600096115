import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { POLL_LIMITS, type QuestionView } from '@nomades/shared';
import { outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { RequestError, request, roundTrip } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Questions (QUESTION-n in docs/spec/polls.md) over the real server, one server for the file:
 * a webinar attendee asks, upvotes count once per identity, hosts answer or dismiss, a host lets
 * the asker speak (promoted, MOD-6), bounds refused, and the questions outlive the meeting.
 */
type Ctx = { srv?: TestServer; peers: SigPeer[] };
const test = suite<Ctx>('questions', { peers: [] });

test.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
test.after.each((ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.peers = [];
});
test.after(async (ctx) => {
  await ctx.srv?.close();
});

const join = async (ctx: Ctx, roomId: string, name: string, role = 'participant') => {
  const peer = await SigPeer.join(ctx.srv!, roomId, name, role);
  ctx.peers.push(peer);
  return peer;
};
const seen = (peer: SigPeer, questionId: string): QuestionView[] =>
  peer.notes.filter((n) => n.name === 'questionUpdated').map((n) => (n.data as { question: QuestionView }).question).filter((q) => q.id === questionId);
const removed = (peer: SigPeer, questionId: string) =>
  peer.notes.some((n) => n.name === 'questionRemoved' && (n.data as { questionId: string }).questionId === questionId);

test('QUESTION-1, 2, 4: a webinar attendee asks; 12 upvote at once, some twice: each identity counted once; not one\'s own', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Webinar questions', mode: 'webinar' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const asker = await join(ctx, id, 'Auditrice', 'attendee');
  const others = await Promise.all(Array.from({ length: 12 }, (_, i) => join(ctx, id, `Auditeur ${i}`, 'attendee')));
  assert.is(await outcome(request(asker.socket, 'askQuestion', { text: 'x'.repeat(POLL_LIMITS.maxQuestionTextLength + 1) })), 'BAD_REQUEST');
  assert.is(await outcome(request(asker.socket, 'askQuestion', { text: '  ' })), 'BAD_REQUEST');
  const { questionId } = await request(asker.socket, 'askQuestion', { text: 'Les supports seront-ils envoyés ?' });
  const first = await waitFor('the room sees it', () => seen(others[0], questionId)[0], 10_000, 20);
  assert.equal({ ...first, createdAt: 0 }, { id: questionId, text: 'Les supports seront-ils envoyés ?', authorName: 'Auditrice', status: 'open', createdAt: 0, upvotes: 0, upvoted: false, mine: false });
  const hostView = await waitFor('the host sees it', () => seen(host, questionId)[0], 10_000, 20);
  assert.is(hostView.authorPeerId, asker.peerId, 'hosts know who is there to speak');

  const outcomes = await Promise.all(others.flatMap((o, i) => [
    outcome(request(o.socket, 'upvoteQuestion', { questionId, up: true })),
    ...(i % 3 === 0 ? [outcome(request(o.socket, 'upvoteQuestion', { questionId, up: true }))] : []),
  ]));
  assert.equal(outcomes.filter((o) => o !== 'accepted'), []);
  await waitFor('12 upvotes pushed', () => seen(host, questionId).some((q) => q.upvotes === 12), 10_000, 20);
  assert.is(await outcome(request(asker.socket, 'upvoteQuestion', { questionId, up: true })), 'FORBIDDEN', 'not one\'s own');
  await request(others[0].socket, 'upvoteQuestion', { questionId, up: false });
  const state = await request(others[0].socket, 'pollsState', {});
  assert.equal([state.questions[0].upvotes, state.questions[0].upvoted], [11, false]);
  assert.is((await request(others[1].socket, 'pollsState', {})).questions[0].upvoted, true);
  assert.is((await request(asker.socket, 'pollsState', {})).questions[0].mine, true);
  assert.is(state.questions[0].authorPeerId, undefined, 'only hosts are told the asker\'s peer');
});

test('QUESTION-3: hosts mark answered or dismiss; a dismissed question leaves the others\' lists, not the host\'s nor the asker\'s', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Answered' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const asker = await join(ctx, id, 'Ada');
  const other = await join(ctx, id, 'Bob');
  const { questionId: a } = await request(asker.socket, 'askQuestion', { text: 'Première ?' });
  const { questionId: b } = await request(asker.socket, 'askQuestion', { text: 'Hors sujet ?' });
  assert.is(await outcome(request(other.socket, 'setQuestionStatus', { questionId: a, status: 'answered' })), 'FORBIDDEN');
  await request(host.socket, 'setQuestionStatus', { questionId: a, status: 'answered' });
  await request(host.socket, 'setQuestionStatus', { questionId: b, status: 'dismissed' });
  await waitFor('answered pushed', () => seen(other, a).some((q) => q.status === 'answered'), 10_000, 20);
  await waitFor('dismissed removed', () => removed(other, b), 10_000, 20);
  assert.is(await outcome(request(other.socket, 'upvoteQuestion', { questionId: a, up: true })), 'CONFLICT', 'an answered question takes no upvote');
  assert.is(await outcome(request(other.socket, 'upvoteQuestion', { questionId: b, up: true })), 'NOT_FOUND', 'a dismissed one is gone for others');
  assert.equal((await request(other.socket, 'pollsState', {})).questions.map((q) => q.id), [a]);
  assert.equal((await request(asker.socket, 'pollsState', {})).questions.map((q) => [q.id, q.status]), [[a, 'answered'], [b, 'dismissed']]);
  assert.equal((await request(host.socket, 'pollsState', {})).questions.length, 2);
  await roundTrip(host.socket);
  assert.not.ok(removed(host, b), 'the host keeps seeing it');
});

test('QUESTION-5: a host lets a webinar attendee who asked speak: promoted to participant, its microphone accepted', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Allowed to speak', mode: 'webinar' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const attendee = await join(ctx, id, 'Auditeur', 'attendee');
  const bystander = await join(ctx, id, 'Autre', 'attendee');
  const { questionId } = await request(attendee.socket, 'askQuestion', { text: 'Puis-je intervenir ?' });
  assert.is(await outcome(attendee.produce('microphone', 4001)), 'FORBIDDEN', 'no microphone before');
  assert.is(await outcome(request(bystander.socket, 'allowToSpeak', { questionId })), 'FORBIDDEN');
  await request(host.socket, 'allowToSpeak', { questionId });
  await waitFor('roleChanged', () => attendee.last('roleChanged')?.role === 'participant', 10_000, 20);
  assert.is(await outcome(attendee.produce('microphone', 4002)), 'accepted', 'a microphone now');
  // The asker gone: nobody to let speak.
  const { questionId: later } = await request(bystander.socket, 'askQuestion', { text: 'Et moi ?' });
  bystander.close();
  await waitFor('bystander left', () => host.notes.some((n) => n.name === 'peerLeft'), 10_000, 20);
  assert.is(await outcome(request(host.socket, 'allowToSpeak', { questionId: later })), 'NOT_FOUND');
});

test('QUESTION-6: asking is rate limited (3 at once), and questions outlive the meeting', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Rate and keep' });
  const ada = await join(ctx, id, 'Ada');
  for (let i = 0; i < POLL_LIMITS.askBurst; i++) await request(ada.socket, 'askQuestion', { text: `Question ${i}` });
  const refused = await request(ada.socket, 'askQuestion', { text: 'Une de trop' }).catch((e: unknown) => e as RequestError);
  assert.ok(refused instanceof RequestError);
  assert.is(refused.error.code, 'RATE_LIMITED');
  ada.close();
  await waitFor('the meeting ends', () => !ctx.srv!.server.registry.get(id));
  const bob = await join(ctx, id, 'Bob');
  const state = await request(bob.socket, 'pollsState', {});
  assert.equal(state.questions.map((q) => [q.text, q.authorName, q.status]), [0, 1, 2].map((i) => [`Question ${i}`, 'Ada', 'open']));
});

test.run();
