import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { Fuzzer, type SurfaceReport } from '../helpers/Fuzzer.js';
import { controlAdvances, type WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * SEC-10 (docs/security.md): a bounded fuzz of every surface, in this process beside the server,
 * while a two-person meeting in another room goes on. Each surface must answer every complete
 * request (no hang), with no 5xx and no INTERNAL; afterwards the server still answers, the
 * meeting's media still flows both ways, and the fuzzed room's chat holds nothing (no client
 * can write it). FUZZ_SEED replays a run; `npm run fuzz` is the long version (docs/benchmarks.md).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 120);

const fuzz = wrtcSuite('fuzz');

function videoFrom(receiver: WrtcBot, sender: WrtcBot) {
  return waitFor(`${receiver.name} receives ${sender.name}'s video`, () => receiver.tracksFrom(sender.peerId).find((t) => t.kind === 'video' && t.frames > 3), 15_000);
}

function assertClean(r: SurfaceReport): void {
  assert.is(r.unanswered, 0, `${r.surface}: every complete request answered (seed ${SEED}):\n${r.findings.join('\n')}`);
  assert.is(r.serverErrors, 0, `${r.surface}: no 5xx / INTERNAL (seed ${SEED}):\n${r.findings.join('\n')}`);
}

fuzz('every surface takes hostile input while a meeting in another room keeps playing', async (ctx: WrtcSuiteContext) => {
  const srv = ctx.srv!;
  const meeting = await srv.createRoom();
  const ada = await joinBot(ctx, meeting.id, 'Ada');
  const bob = await joinBot(ctx, meeting.id, 'Bob');
  const adaSees = await videoFrom(ada, bob);
  const bobSees = await videoFrom(bob, ada);

  const target = await srv.createRoom();
  const fuzzer = new Fuzzer(
    { url: srv.url, port: Number(new URL(srv.url).port), adminKey: srv.adminKey, roomId: target.id, token: await srv.mintToken(target.id, 'Fuzz') },
    SEED,
  );
  const reports = [await fuzzer.rawHttp(CASES), await fuzzer.rest(CASES), await fuzzer.socketIo(CASES), await fuzzer.collab(CASES)];
  for (const r of reports) console.log(`  fuzz ${r.surface}: ${r.cases} cases, ${r.unanswered} unanswered, ${r.serverErrors} server errors`);
  for (const r of reports) assertClean(r);

  const health = await fetch(`${srv.url}/healthz`);
  assert.is(health.status, 200, 'the server still answers');
  assert.is(((await health.json()) as { status: string }).status, 'ok', 'no background failure was recorded');
  await controlAdvances(adaSees, 30, "Ada's view of Bob after the fuzz");
  await controlAdvances(bobSees, 30, "Bob's view of Ada after the fuzz");

  const chat = await fetch(`${srv.url}/api/rooms/${target.id}/chat`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  assert.is(chat.status, 200);
  assert.equal(((await chat.json()) as { messages: unknown[] }).messages, [], 'no client wrote the chat of the fuzzed room');
  const board = await fetch(`${srv.url}/api/rooms/${target.id}/board`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  assert.is(board.status, 200, 'the fuzzed room board still reads');
});

exitAfterRun(fuzz);
