import * as assert from 'uvu/assert';
import { CLIENT_REPORT_LIMITS } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import type { Family } from '../helpers/promText.js';
import { sampleValue } from '../helpers/promText.js';
import { httpGet, scrape } from '../helpers/scrape.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { joinBot, wrtcSuite } from '../helpers/wrtcSuite.js';

/**
 * GET /metrics (docs/spec/operations.md OPS-1…5): the exposition parses as Prometheus text (a
 * strict reader: tests/helpers/promText.ts), carries the process and event-loop metrics and ours,
 * and our gauges follow real WebRTC participants (@roamhq/wrtc bots) joining and leaving; the
 * join histogram counts each join, the first-media report and resumes.
 */
const metrics = wrtcSuite('metrics', { RESUME_GRACE_MS: '30000' });

/** Labels our metrics may carry (OPS-5: nothing per room, per participant or per user). */
const BOUNDED_LABELS = new Set(['kind', 'worker', 'pid', 'status', 'state', 'result', 'phase', 'outcome', 'le']);

const v = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);

/** The figures the join/leave test follows. */
async function figures(url: string) {
  const m = await scrape(url);
  return {
    rooms: v(m, 'nomades_rooms'),
    participants: v(m, 'nomades_participants'),
    audioProducers: v(m, 'nomades_producers', { kind: 'audio' }),
    videoProducers: v(m, 'nomades_producers', { kind: 'video' }),
    audioConsumers: v(m, 'nomades_consumers', { kind: 'audio' }),
    videoConsumers: v(m, 'nomades_consumers', { kind: 'video' }),
    workerConsumers: v(m, 'nomades_worker_consumers', { worker: '0' }),
    joins: v(m, 'nomades_join_seconds_count', { phase: 'joined' }),
  };
}

metrics('OPS-2: the exposition is valid Prometheus text with process, event-loop and nomades metrics, each with HELP and TYPE', async (ctx) => {
  const answer = await httpGet(ctx.srv!.url, '/metrics');
  assert.is(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.is(answer.headers['cache-control'], 'no-store');
  const m = await scrape(ctx.srv!.url);
  const expected: Record<string, string> = {
    process_cpu_seconds_total: 'counter',
    process_resident_memory_bytes: 'gauge',
    nodejs_eventloop_lag_seconds: 'gauge',
    nodejs_eventloop_lag_p99_seconds: 'gauge',
    nodejs_heap_size_used_bytes: 'gauge',
    nomades_rooms: 'gauge',
    nomades_participants: 'gauge',
    nomades_producers: 'gauge',
    nomades_consumers: 'gauge',
    nomades_workers: 'gauge',
    nomades_worker_cpu_seconds_total: 'counter',
    nomades_worker_consumers: 'gauge',
    nomades_join_seconds: 'histogram',
    nomades_reconnections_total: 'counter',
    nomades_recordings: 'gauge',
    nomades_collab_connections: 'gauge',
    nomades_signaling_sessions: 'gauge',
    nomades_webhook_deliveries_total: 'counter',
  };
  for (const [name, type] of Object.entries(expected)) {
    const family = m.get(name);
    assert.ok(family, `${name} is exposed`);
    assert.is(family!.type, type, `${name} is a ${type}`);
    assert.ok(family!.help && family!.help.length > 0, `${name} has a HELP`);
  }
  // Idle server: the gauges exist with their label sets, at zero.
  assert.is(v(m, 'nomades_rooms'), 0);
  assert.is(v(m, 'nomades_producers', { kind: 'video' }), 0);
  for (const status of ['recording', 'processing', 'ready', 'failed']) assert.is(v(m, 'nomades_recordings', { status }), 0);
  for (const result of ['delivered', 'retried', 'failed', 'dropped']) assert.is(v(m, 'nomades_webhook_deliveries_total', { result }), 0);
  assert.is(v(m, 'nomades_workers'), 1, 'MEDIA_WORKERS=1');
  const pid = String(ctx.srv!.server.pool.workers[0].worker.pid);
  assert.ok(v(m, 'nomades_worker_cpu_seconds_total', { worker: '0', pid }) >= 0, 'worker CPU time by index and pid');
  // No recording queue without Redis: no samples rather than a guess.
  assert.is(m.get('nomades_recording_queue_jobs')?.samples.length ?? 0, 0);
  // OPS-5: bounded labels only.
  for (const family of m.values()) {
    if (!family.name.startsWith('nomades_')) continue;
    for (const s of family.samples) for (const label of Object.keys(s.labels)) assert.ok(BOUNDED_LABELS.has(label), `${s.name}: label ${label} is bounded`);
  }
});

metrics('OPS-2/3: participant, producer and consumer gauges follow two bots joining and leaving; each join is counted once', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Metrics' });
  const before = await figures(srv.url);
  assert.is(before.participants, 0);

  const ada = await joinBot(ctx, id, 'Ada');
  const one = await waitFor('Ada counted', async () => {
    const f = await figures(srv.url);
    return f.participants === 1 && f.audioProducers === 1 && f.videoProducers === 1 ? f : null;
  });
  assert.is(one.rooms, before.rooms + 1, 'a room opened');
  assert.is(one.joins, before.joins + 1, 'nomades_join_seconds_count{phase="joined"} went up by one');
  assert.is(one.audioConsumers + one.videoConsumers, 0, 'nobody to receive yet');

  const bob = await joinBot(ctx, id, 'Bob');
  await waitFor('Ada receives Bob', () => ada.tracksFrom(bob.peerId).length === 2, 15_000);
  await waitFor('Bob receives Ada', () => bob.tracksFrom(ada.peerId).length === 2, 15_000);
  const two = await waitFor('both counted', async () => {
    const f = await figures(srv.url);
    return f.participants === 2 && f.audioConsumers === 2 && f.videoConsumers === 2 ? f : null;
  });
  assert.is(two.audioProducers, 2);
  assert.is(two.videoProducers, 2);
  assert.is(two.rooms, one.rooms, 'the same room');
  assert.is(two.joins, before.joins + 2, 'one more join counted');
  assert.ok(two.workerConsumers >= 4, `the worker carries the four consumers (${two.workerConsumers})`);

  await bob.leave();
  const after = await waitFor('Bob gone from the gauges', async () => {
    const f = await figures(srv.url);
    return f.participants === 1 && f.audioProducers === 1 && f.videoProducers === 1 && f.audioConsumers + f.videoConsumers === 0 ? f : null;
  });
  assert.is(after.joins, two.joins, 'a leave is no join');

  await ada.leave();
  const empty = await waitFor('room closed', async () => {
    const f = await figures(srv.url);
    return f.rooms === before.rooms && f.participants === 0 ? f : null;
  });
  assert.is(empty.audioProducers + empty.videoProducers, 0);
  assert.is(empty.workerConsumers, 0);
});

metrics('OPS-3: reportFirstMedia is counted once per session, bounded, only after join', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e) => (e instanceof RequestError ? e.error.code : String(e)));

  // Before join: NOT_JOINED.
  const early = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Early'), roomId: id });
  try {
    assert.is(await code(request(early, 'reportFirstMedia', { ms: 100 })), 'NOT_JOINED');
  } finally {
    early.close();
  }

  const ada = await joinBot(ctx, id, 'Ada');
  const start = await scrape(srv.url);
  const count0 = v(start, 'nomades_join_seconds_count', { phase: 'first_media' });
  const sum0 = v(start, 'nomades_join_seconds_sum', { phase: 'first_media' });
  for (const ms of [-1, 1.5, CLIENT_REPORT_LIMITS.maxFirstMediaMs + 1]) {
    assert.is(await code(request(ada.socket, 'reportFirstMedia', { ms })), 'BAD_REQUEST', `ms=${ms} refused`);
  }
  assert.is(await code(request(ada.socket, 'reportFirstMedia', { ms: 1250 })), 'accepted');
  assert.is(await code(request(ada.socket, 'reportFirstMedia', { ms: 900 })), 'CONFLICT', 'once per session');
  const end = await scrape(srv.url);
  assert.is(v(end, 'nomades_join_seconds_count', { phase: 'first_media' }), count0 + 1);
  assert.ok(Math.abs(v(end, 'nomades_join_seconds_sum', { phase: 'first_media' }) - sum0 - 1.25) < 1e-9, 'observed in seconds');
  assert.is(v(end, 'nomades_join_seconds_bucket', { phase: 'first_media', le: '1' }), v(start, 'nomades_join_seconds_bucket', { phase: 'first_media', le: '1' }));
  assert.is(v(end, 'nomades_join_seconds_bucket', { phase: 'first_media', le: '2' }), v(start, 'nomades_join_seconds_bucket', { phase: 'first_media', le: '2' }) + 1);
  await ada.leave();
});

metrics('OPS-2: a resume (SIG-13) is counted in nomades_reconnections_total, not as a join', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const ada = await joinBot(ctx, id, 'Ada');
  const before = await scrape(srv.url);
  await ada.resume(srv.url);
  const after = await scrape(srv.url);
  assert.is(v(after, 'nomades_reconnections_total'), v(before, 'nomades_reconnections_total') + 1);
  assert.is(v(after, 'nomades_join_seconds_count', { phase: 'joined' }), v(before, 'nomades_join_seconds_count', { phase: 'joined' }));
  assert.is(v(after, 'nomades_participants'), v(before, 'nomades_participants'), 'the same seat');
  await ada.leave();
});

exitAfterRun(metrics);
