import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import YAML from 'yaml';
import { recordingStatusSchema } from '@nomades/shared';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { JOIN_PHASES, WEBHOOK_RESULTS } from '../../server/src/metrics/Metrics.js';
import { QUEUE_STATES } from '../../server/src/metrics/recordingMetrics.js';
import type { Family } from '../helpers/promText.js';
import { sampleValue } from '../helpers/promText.js';
import { scrape } from '../helpers/scrape.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The operations documents speak of metrics that exist: docs/operations/grafana-dashboard.json (a
 * Grafana dashboard model) and docs/operations/alerts.yml (Prometheus rule groups) parse, have the
 * panels and alerts issue #13 asks for, and every metric, label and label value their queries
 * name is one a real server exposes (OPS-2, OPS-4). And the recording queue's gauge with a real
 * Redis (OPS-2).
 */
const DOCS = path.resolve(import.meta.dirname, '../../docs/operations');
const dashboard = JSON.parse(fs.readFileSync(path.join(DOCS, 'grafana-dashboard.json'), 'utf8'));
const alerts = YAML.parse(fs.readFileSync(path.join(DOCS, 'alerts.yml'), 'utf8'));

/** The values each bounded label of ours takes (OPS-5), from the code that sets them. */
const LABEL_VALUES: Record<string, readonly string[]> = {
  kind: ['audio', 'video'],
  phase: JOIN_PHASES,
  result: WEBHOOK_RESULTS,
  status: recordingStatusSchema.options,
  state: QUEUE_STATES,
};
/** Labels Prometheus adds or that a series carries by worker. */
const OTHER_LABELS = new Set(['job', 'instance', 'worker', 'pid', 'le']);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string }>;
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const panels: Panel[] = dashboard.panels;
const exprs = (): string[] => panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const rules: Rule[] = alerts.groups.flatMap((g: { rules: Rule[] }) => g.rules);

/** The family a metric name of a query belongs to (a histogram's _bucket/_sum/_count). */
function familyOf(families: Map<string, Family>, name: string): Family | undefined {
  return families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
}

/** Every `metric{label op "value", …}` or bare metric name of a PromQL expression. */
function selectors(expr: string): Array<{ metric: string; matchers: Array<{ label: string; op: string; value: string }> }> {
  const out: Array<{ metric: string; matchers: Array<{ label: string; op: string; value: string }> }> = [];
  const re = /\b((?:nomades|nodejs|process)_[a-z0-9_]+)(\{([^}]*)\})?/g;
  for (const m of expr.matchAll(re)) {
    const matchers = [...(m[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((x) => ({ label: x[1], op: x[2], value: x[3] }));
    out.push({ metric: m[1], matchers });
  }
  return out;
}

function checkQueries(families: Map<string, Family>, where: string, list: string[]): void {
  for (const expr of list) {
    const found = selectors(expr);
    // Prometheus' own `up` (the scrape's health) is the only other series a query may use.
    assert.ok(found.length > 0 || /\bup\{job="nomades"\}/.test(expr), `${where}: ${expr} names a metric`);
    for (const { metric, matchers } of found) {
      const family = familyOf(families, metric);
      assert.ok(family, `${where}: ${metric} is exposed by the server`);
      for (const { label, op, value } of matchers) {
        if (OTHER_LABELS.has(label)) continue;
        const values = LABEL_VALUES[label];
        assert.ok(values, `${where}: ${metric}{${label}} is one of our labels`);
        const seen = new Set(family!.samples.map((s) => s.labels[label]).filter(Boolean));
        assert.ok(seen.size === 0 || seen.has(values[0]) || [...seen].every((v) => values.includes(v)), `${where}: ${metric} carries ${label}`);
        if (op === '=' || op === '=~') for (const v of value.split('|')) assert.ok(values.includes(v), `${where}: ${metric}{${label}${op}"${value}"}: ${v} is a value it takes`);
      }
    }
  }
}

const docs = suite<{ srv?: TestServer }>('operations documents', {});
docs.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
docs.after(async (ctx) => {
  await ctx.srv?.close();
});

docs('the Grafana dashboard is a dashboard model with the panels of issue #13', () => {
  assert.is(typeof dashboard.title, 'string');
  assert.is(typeof dashboard.uid, 'string');
  assert.is(typeof dashboard.schemaVersion, 'number');
  const vars = dashboard.templating.list as Array<{ name: string; type: string; query: unknown }>;
  assert.ok(vars.some((v) => v.name === 'datasource' && v.type === 'datasource' && v.query === 'prometheus'), 'a Prometheus data source variable');
  const ids = new Set<number>();
  for (const p of panels) {
    assert.not.ok(ids.has(p.id), `panel id ${p.id} unique`);
    ids.add(p.id);
    assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: within the 24 columns`);
    if (p.type === 'row') continue;
    assert.ok(['timeseries', 'stat'].includes(p.type), `${p.title}: a known panel type`);
    assert.is(p.datasource?.uid, '${datasource}', `${p.title}: uses the data source variable`);
    assert.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
  }
  const all = exprs().join('\n');
  for (const needed of [
    /sum\(nomades_rooms\{/,
    /sum\(nomades_participants\{/,
    /histogram_quantile\(0\.5, sum by \(le\) \(rate\(nomades_join_seconds_bucket\{phase="joined"/,
    /histogram_quantile\(0\.95, sum by \(le\) \(rate\(nomades_join_seconds_bucket\{phase="joined"/,
    /rate\(nomades_worker_cpu_seconds_total\{/,
    /nomades_recording_queue_jobs\{/,
    /nomades_webhook_deliveries_total\{result=~"failed\|dropped"/,
  ]) {
    assert.match(all, needed);
  }
});

docs('the alert rules parse and cover process down, worker CPU, join p95, webhook failures, a stuck recording queue', () => {
  const names = new Set<string>();
  for (const r of rules) {
    assert.is(typeof r.alert, 'string');
    assert.not.ok(names.has(r.alert), `${r.alert} unique`);
    names.add(r.alert);
    assert.is(typeof r.expr, 'string');
    if (r.for !== undefined) assert.match(r.for, /^\d+[smh]$/, `${r.alert}: for`);
    assert.ok(['critical', 'warning'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
    assert.ok(r.annotations?.summary, `${r.alert}: summary`);
    let depth = 0;
    for (const c of r.expr) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      assert.ok(depth >= 0, `${r.alert}: parentheses`);
    }
    assert.is(depth, 0, `${r.alert}: parentheses balanced`);
  }
  const has = (re: RegExp) => rules.some((r) => re.test(r.expr));
  assert.ok(has(/^up\{job="nomades"\} == 0$/), 'process down');
  assert.ok(has(/rate\(nomades_worker_cpu_seconds_total\{[^}]*\}\[5m\]\) > 0\.\d+/), 'worker CPU high');
  assert.ok(has(/histogram_quantile\(0\.95, .*nomades_join_seconds_bucket\{[^}]*phase="joined"/), 'join p95 high');
  assert.ok(has(/nomades_webhook_deliveries_total\{[^}]*result=~"failed\|dropped"/), 'webhook failures');
  assert.ok(has(/nomades_recording_queue_jobs\{[^}]*state="waiting"/), 'recording queue stuck');
});

docs('every metric, label and value the dashboard and the alerts name is one the server exposes', async (ctx) => {
  const families = await scrape(ctx.srv!.url);
  checkQueries(families, 'dashboard', exprs());
  checkQueries(families, 'alerts', rules.map((r) => r.expr));
});

docs.run();

const queue = suite<{ srv?: TestServer; redis?: LocalRedis; dir?: string }>('OPS-2 recording queue', {});
queue.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-metrics-redis-'));
  ctx.redis = await LocalRedis.start({ dir: ctx.dir });
  ctx.srv = await startTestServer({ REDIS_URL: ctx.redis.url, RECORDER: 'off' });
});
queue.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.redis?.close();
  if (ctx.dir) fs.rmSync(ctx.dir, { recursive: true, force: true });
});

queue('with Redis: every state counted, and a job waiting with no recorder shows in state="waiting"', async (ctx) => {
  const srv = ctx.srv!;
  const first = await waitFor('the queue counted', async () => {
    const m = await scrape(srv.url);
    return (m.get('nomades_recording_queue_jobs')?.samples.length ?? 0) > 0 ? m : null;
  });
  for (const state of QUEUE_STATES) assert.type(sampleValue(first, 'nomades_recording_queue_jobs', { state }), 'number', state);
  const waiting = sampleValue(first, 'nomades_recording_queue_jobs', { state: 'waiting' });
  await srv.server.recording.queue!.add('metrics-test', { note: 'a job no recorder takes (RECORDER=off)' });
  const after = await scrape(srv.url);
  assert.is(sampleValue(after, 'nomades_recording_queue_jobs', { state: 'waiting' }), waiting + 1);
});

queue.run();
