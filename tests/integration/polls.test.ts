import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { POLL_LIMITS, type PollView, type RequestData } from '@nomades/shared';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { Postgres } from '../helpers/Postgres.js';
import { RequestError, request, roundTrip } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Polls (POLL-n in docs/spec/polls.md) over the real server and real socket.io clients, one
 * server for the file: concurrent votes counted once per identity, hidden results never sent to
 * non-hosts, anonymous polls that name nobody, bounds refused with their codes, a removed
 * participant's votes kept, the CSV export, and polls that outlive the meeting and a restart
 * (SQLite, then PostgreSQL).
 */
type Ctx = { srv?: TestServer; peers: SigPeer[] };
const test = suite<Ctx>('polls', { peers: [] });

test.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { keepData: true });
});
test.after.each((ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.peers = [];
});
test.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.srv) fs.rmSync(ctx.srv.dataDir, { recursive: true, force: true });
});

const join = async (ctx: Ctx, roomId: string, name: string, role = 'participant') => {
  const peer = await SigPeer.join(ctx.srv!, roomId, name, role);
  ctx.peers.push(peer);
  return peer;
};
const poll = (over: Partial<RequestData<'createPoll'>> = {}): RequestData<'createPoll'> => ({
  question: 'Quel jour pour le séminaire ?',
  kind: 'single',
  options: ['Lundi', 'Mardi', 'Jeudi'],
  anonymous: false,
  results: 'all',
  open: true,
  ...over,
});
/** Every pollUpdated `peer` received for `pollId`. */
const updates = (peer: SigPeer, pollId: string): PollView[] =>
  peer.notes.filter((n) => n.name === 'pollUpdated').map((n) => (n.data as { poll: PollView }).poll).filter((p) => p.id === pollId);
/** Waits until `peer` was told `pollId` has `voters` voters. */
const tallied = (peer: SigPeer, pollId: string, voters: number) =>
  waitFor(`${voters} voters pushed`, () => updates(peer, pollId).find((p) => p.tally?.voters === voters), 10_000, 20);
const csvOf = async (srv: TestServer, roomId: string, pollId: string, bearer: string) => {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/polls/${pollId}.csv`, { headers: { authorization: `Bearer ${bearer}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), bom: bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), text: bytes.toString('utf8').replace(/^\uFEFF/, '') };
};

test('POLL-3: 20 participants vote at once, 8 of them twice: each identity counted once, with its last choice', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Concurrent votes' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const voters = await Promise.all(Array.from({ length: 20 }, (_, i) => join(ctx, id, `Votant ${i}`)));
  const { pollId } = await request(host.socket, 'createPoll', poll({ kind: 'multiple', options: ['A', 'B', 'C', 'D'] }));
  await waitFor('the voters see the poll', () => voters.every((v) => updates(v, pollId).length > 0), 10_000, 20);

  // Everyone at once; voters 0..7 also send a second, different vote at once with their first.
  const first = (i: number) => [i % 4];
  const second = (i: number) => [(i + 1) % 4, (i + 2) % 4];
  const results = await Promise.all(
    voters.flatMap((v, i) => [
      outcome(request(v.socket, 'vote', { pollId, choices: first(i) })),
      ...(i < 8 ? [outcome(request(v.socket, 'vote', { pollId, choices: second(i) }))] : []),
    ]),
  );
  assert.equal(results.filter((r) => r !== 'accepted'), [], 'every vote accepted');
  // Requests of one socket run in order: the second vote of 0..7 is the one kept.
  const expected = [0, 0, 0, 0];
  voters.forEach((_, i) => (i < 8 ? second(i) : first(i)).forEach((c) => expected[c]++));
  const seen = await tallied(host, pollId, 20);
  assert.equal(seen.tally!.counts, expected, 'counts');
  assert.is(seen.ballots!.length, 20, 'one ballot per identity');
  assert.equal(new Set(seen.ballots!.map((b) => b.name)).size, 20);
  // Each voter sees its own last choice, and the public results.
  const mine = await request(voters[3].socket, 'pollsState', {});
  assert.equal(mine.polls[0].mine, second(3));
  assert.equal(mine.polls[0].tally!.counts, expected);
  assert.is(mine.polls[0].ballots, undefined, 'who voted what goes to hosts only');
  // Merged pushes: 28 votes did not make 28 notifications per peer.
  assert.ok(updates(voters[19], pollId).length < 10, `${updates(voters[19], pollId).length} pushes to a bystander`);

  // The export counts the same votes.
  const csv = await csvOf(ctx.srv!, id, pollId, ctx.srv!.adminKey);
  assert.is(csv.status, 200);
  assert.match(csv.text, `voters,20\r\n`);
  for (const [i, option] of ['A', 'B', 'C', 'D'].entries()) assert.match(csv.text, `\r\n${option},${expected[i]}\r\n`);
});

test('POLL-5: results for hosts only never reach a participant or a webinar attendee; hosts see them live', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Hidden results', mode: 'webinar' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const cohost = await join(ctx, id, 'Co-hôte', 'host');
  const participant = await join(ctx, id, 'Participante');
  const attendee = await join(ctx, id, 'Auditeur', 'attendee');
  const { pollId } = await request(host.socket, 'createPoll', poll({ results: 'hosts' }));
  await request(participant.socket, 'vote', { pollId, choices: [1] });
  await request(attendee.socket, 'vote', { pollId, choices: [2] });
  assert.equal((await tallied(cohost, pollId, 2)).tally!.counts, [0, 1, 1]);
  await request(host.socket, 'setPollStatus', { pollId, status: 'closed' });
  await waitFor('closed pushed', () => updates(attendee, pollId).some((p) => p.status === 'closed'), 10_000, 20);
  for (const peer of [participant, attendee]) {
    await roundTrip(peer.socket);
    const seen = updates(peer, pollId);
    assert.ok(seen.length > 0, 'the poll itself is seen');
    assert.ok(seen.every((p) => p.tally === null && p.ballots === undefined), 'no tally, no ballots');
    const state = await request(peer.socket, 'pollsState', {});
    assert.is(state.polls[0].tally, null);
  }
  // Their own choice is theirs to see.
  assert.equal(updates(attendee, pollId).at(-1)!.mine, [2]);
  // A vote on a closed poll is refused.
  assert.is(await outcome(request(participant.socket, 'vote', { pollId, choices: [0] })), 'CONFLICT');
});

test('POLL-2: a draft is seen by hosts only, and cannot be voted on until opened', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Drafts' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const participant = await join(ctx, id, 'Participant');
  const { pollId } = await request(host.socket, 'createPoll', poll({ open: false }));
  await waitFor('the draft pushed to the host', () => updates(host, pollId).length > 0, 10_000, 20);
  assert.equal((await request(participant.socket, 'pollsState', {})).polls, []);
  assert.is(await outcome(request(participant.socket, 'vote', { pollId, choices: [0] })), 'NOT_FOUND');
  await request(host.socket, 'setPollStatus', { pollId, status: 'open' });
  await waitFor('opened pushed', () => updates(participant, pollId).some((p) => p.status === 'open'), 10_000, 20);
  assert.is(await outcome(request(participant.socket, 'vote', { pollId, choices: [0] })), 'accepted');
  await request(host.socket, 'deletePoll', { pollId });
  await waitFor('pollRemoved', () => participant.notes.some((n) => n.name === 'pollRemoved'), 10_000, 20);
  assert.is(await outcome(request(participant.socket, 'vote', { pollId, choices: [0] })), 'NOT_FOUND');
});

test('POLL-6: an anonymous poll sends nobody who voted what, stores no identity, and its export names nobody', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Anonymous' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const voters = await Promise.all(['Ada', 'Bérénice', 'Chloé'].map((n) => join(ctx, id, n)));
  const { pollId } = await request(host.socket, 'createPoll', poll({ anonymous: true, kind: 'multiple' }));
  await Promise.all(voters.map((v, i) => request(v.socket, 'vote', { pollId, choices: i === 0 ? [0, 2] : [1] })));
  assert.equal((await tallied(host, pollId, 3)).tally!.counts, [1, 2, 1]);
  for (const peer of [host, ...voters]) {
    await roundTrip(peer.socket);
    const raw = JSON.stringify(peer.notes.filter((n) => n.name === 'pollUpdated'));
    assert.not.match(raw, /ballots/, 'no ballots field');
    for (const name of ['Ada', 'Bérénice', 'Chloé']) assert.not.match(raw, name, `${name} not named`);
  }
  // Changing one's vote still works: the server recognises the voter without keeping who they are.
  await request(voters[0].socket, 'vote', { pollId, choices: [1] });
  assert.equal((await waitFor('changed', () => updates(host, pollId).find((p) => p.tally!.counts[1] === 3), 10_000, 20)).tally!.voters, 3);
  const csv = await csvOf(ctx.srv!, id, pollId, ctx.srv!.adminKey);
  assert.is(csv.status, 200);
  assert.match(csv.text, 'anonymous,yes');
  assert.not.match(csv.text, /Ada|Bérénice|Chloé|name,voted/);
  // The store: no name, and the voter column is not the identity.
  await ctx.srv!.server.registry.polls!.idle(id);
  const stored = await ctx.srv!.server.database.polls.load(id);
  assert.ok(stored.ballots.every((b) => b.name === null && b.voter.length === 43), 'hashed voters, no names');
});

test('POLL-1, POLL-7, ROLE-4: bounds and rights refused with their codes, nothing created', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Bounds' });
  const host = await join(ctx, id, 'Hôte', 'host');
  const participant = await join(ctx, id, 'Participant');
  const code = (p: Promise<unknown>) => outcome(p);
  assert.is(await code(request(participant.socket, 'createPoll', poll())), 'FORBIDDEN');
  assert.is(await code(request(host.socket, 'createPoll', poll({ question: 'x'.repeat(POLL_LIMITS.maxQuestionLength + 1) }))), 'BAD_REQUEST');
  assert.is(await code(request(host.socket, 'createPoll', poll({ question: '   ' }))), 'BAD_REQUEST');
  assert.is(await code(request(host.socket, 'createPoll', poll({ options: ['Seule'] }))), 'BAD_REQUEST');
  assert.is(await code(request(host.socket, 'createPoll', poll({ options: Array.from({ length: 11 }, (_, i) => `o${i}`) }))), 'BAD_REQUEST');
  assert.is(await code(request(host.socket, 'createPoll', poll({ options: ['a', 'o'.repeat(101)] }))), 'BAD_REQUEST');
  assert.is(await code(request(host.socket, 'createPoll', poll({ options: ['a', 'a'] }))), 'BAD_REQUEST');
  const { pollId } = await request(host.socket, 'createPoll', poll());
  assert.is(await code(request(participant.socket, 'vote', { pollId, choices: [0, 1] })), 'BAD_REQUEST', 'two choices on a single-choice poll');
  assert.is(await code(request(participant.socket, 'vote', { pollId, choices: [3] })), 'BAD_REQUEST', 'no 4th option');
  assert.is(await code(request(participant.socket, 'vote', { pollId, choices: [] })), 'BAD_REQUEST');
  assert.is(await code(request(participant.socket, 'setPollStatus', { pollId, status: 'closed' })), 'FORBIDDEN');
  assert.is(await code(request(participant.socket, 'deletePoll', { pollId })), 'FORBIDDEN');

  // POLL-7: the rate of one peer (a burst, then refused), whatever the request.
  let limited: RequestError | undefined;
  for (let i = 0; i < POLL_LIMITS.actionBurst + 5 && !limited; i++) {
    await request(participant.socket, 'vote', { pollId, choices: [i % 3] }).catch((e: unknown) => (limited = e as RequestError));
  }
  assert.is(limited?.error.code, 'RATE_LIMITED');
  assert.is(limited?.error.params?.perSecond, POLL_LIMITS.actionsPerSecond);

  // POLL-7: polls per room (the host's bucket refills meanwhile: 2 per second).
  for (let made = 1; made < POLL_LIMITS.maxPollsPerRoom; made++) {
    for (let attempt = 0; ; attempt++) {
      const r = await outcome(request(host.socket, 'createPoll', poll({ open: false })));
      if (r === 'accepted') break;
      assert.is(r, 'RATE_LIMITED');
      assert.ok(attempt < 20, 'the bucket refills');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const over = await request(host.socket, 'createPoll', poll()).catch((e: unknown) => e as RequestError);
  assert.ok(over instanceof RequestError);
  assert.is(over.error.code, 'CONFLICT');
  assert.equal(over.error.params, { limit: 'pollsPerRoom', max: POLL_LIMITS.maxPollsPerRoom });
  assert.is((await request(host.socket, 'pollsState', {})).polls.length, POLL_LIMITS.maxPollsPerRoom);
});

test('POLL-11: a removed participant\'s vote stays counted; the export: hosts only, names, formulas neutralised', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Removal and export' });
  const hostToken = await srv.mintToken(id, 'Hôte', 'host');
  const host = await join(ctx, id, 'Hôte', 'host');
  const mallory = await join(ctx, id, '=HYPERLINK("http://x")');
  const bob = await join(ctx, id, 'Bob, "le" chef');
  const { pollId } = await request(host.socket, 'createPoll', poll({ options: ['-1', '+2', '@3'] }));
  await request(mallory.socket, 'vote', { pollId, choices: [0] });
  await request(bob.socket, 'vote', { pollId, choices: [2] });
  await tallied(host, pollId, 2);
  await request(host.socket, 'removeParticipant', { peerId: mallory.peerId });
  await waitFor('mallory gone', async () => (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json.peers.length === 2);
  const state = await request(host.socket, 'pollsState', {});
  assert.equal(state.polls[0].tally, { counts: [1, 0, 1], voters: 2 }, 'the removed participant\'s vote is kept');

  const participantToken = await srv.mintToken(id, 'Curieux');
  assert.is((await csvOf(srv, id, pollId, participantToken)).status, 403, 'a participant may not export');
  assert.is((await csvOf(srv, id, pollId, 'not-a-token')).status, 401);
  assert.is((await csvOf(srv, id, 'no-such-poll', hostToken)).status, 404);
  const csv = await csvOf(srv, id, pollId, hostToken);
  assert.is(csv.status, 200);
  assert.match(csv.type ?? '', 'text/csv');
  assert.ok(csv.bom && csv.text.startsWith('question,'), 'BOM, then the question');
  const lines = csv.text.split('\r\n');
  assert.ok(lines.includes(`'-1,1`) && lines.includes(`'+2,0`) && lines.includes(`'@3,1`), 'options neutralised');
  assert.ok(lines.includes(`name,voted,'-1,'+2,'@3`), 'the ballots\' header');
  const ballots = lines.slice(lines.indexOf(`name,voted,'-1,'+2,'@3`) + 1).filter(Boolean);
  assert.is(ballots.length, 2);
  assert.match(ballots[0], /^'=HYPERLINK\(""http:\/\/x""\)|^"'=HYPERLINK/, 'a formula is neutralised, quotes doubled');
  assert.match(ballots[0], /,1,0,0$/);
  assert.match(ballots[1], /^"Bob, ""le"" chef",.*,0,0,1$/);
});

/** Creates a poll with votes, closes the meeting, checks it after `reopen` on `srv2`. */
const survives = async (ctx: Ctx, first: TestServer, reopen: () => Promise<TestServer>) => {
  const { id } = await first.createRoom({ name: 'Survives' });
  const host = await SigPeer.join(first, id, 'Hôte', 'host');
  const ada = await SigPeer.join(first, id, 'Ada');
  const { pollId } = await request(host.socket, 'createPoll', poll({ kind: 'multiple' }));
  await request(ada.socket, 'vote', { pollId, choices: [0, 2] });
  await request(host.socket, 'vote', { pollId, choices: [2] });
  const { pollId: hidden } = await request(host.socket, 'createPoll', poll({ results: 'hosts', anonymous: true }));
  await request(ada.socket, 'vote', { pollId: hidden, choices: [1] });
  host.close();
  ada.close();
  // A new meeting in the same room (the room closed when both left).
  await waitFor('the meeting ends', () => !first.server.registry.get(id));
  const srv = await reopen();
  const again = await SigPeer.join(srv, id, 'Ada');
  ctx.peers.push(again);
  const state = await request(again.socket, 'pollsState', {});
  assert.is(state.polls.length, 2);
  assert.equal(state.polls[0].tally, { counts: [1, 0, 2], voters: 2 });
  assert.equal(state.polls[0].mine, [], 'a new identity has not voted');
  assert.is(state.polls[1].tally, null, 'still hidden');
  // The export reads the same votes.
  const csv = await csvOf(srv, id, hidden, srv.adminKey);
  assert.match(csv.text, 'voters,1');
  await request(again.socket, 'vote', { pollId, choices: [1] });
  const hostAgain = await SigPeer.join(srv, id, 'Hôte 2', 'host');
  ctx.peers.push(hostAgain);
  assert.equal((await tallied(hostAgain, pollId, 3)).tally!.counts, [1, 1, 2]);
  // ROOM-7: deleted with the room.
  again.close();
  hostAgain.close();
  await waitFor('the meeting ends', () => !srv.server.registry.get(id));
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}`)).status, 204);
  const left = await srv.server.database.polls.load(id);
  assert.equal([left.polls.length, left.ballots.length], [0, 0]);
};

test('POLL-9: polls and votes outlive the meeting and a restart (SQLite)', async (ctx) => {
  const first = ctx.srv!;
  await survives(ctx, first, async () => {
    await first.close();
    ctx.srv = await startTestServer({}, { dataDir: first.dataDir });
    return ctx.srv;
  });
});

test('POLL-9: and on PostgreSQL, read by another server on the same database', async (ctx) => {
  const pg = await Postgres.start();
  const servers: TestServer[] = [];
  try {
    const url = await pg.database();
    const first = await startTestServer({ DATABASE_URL: url });
    servers.push(first);
    await survives(ctx, first, async () => {
      await first.close();
      const second = await startTestServer({ DATABASE_URL: url });
      servers.push(second);
      return second;
    });
  } finally {
    for (const p of ctx.peers) p.close();
    ctx.peers = [];
    for (const s of servers) await s.close().catch(() => undefined);
    pg.close();
  }
});

test.run();
