/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * must be a `# HELP`, a `# TYPE`, another comment, a sample or empty; a family's TYPE comes once and
 * before its samples, HELP at most once; sample names, label names and values, and numbers have
 * the format's syntax; a histogram's buckets are cumulative and end with `+Inf` equal to `_count`.
 * Throws an Error naming the line otherwise. (prom-client writes this format but cannot read it.)
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseNumber(text: string, line: number): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Labels of `{a="x",b="y\"z"}` starting at `text[0] === '{'`; returns them and the rest after `}`. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new Error(`line ${line}: label without '='`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label ${name}: value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`line ${line}: label ${name}: bad escape \\${next}`);
      } else if (text[j] === '\n') {
        throw new Error(`line ${line}: raw newline in a label value`);
      } else {
        value += text[j];
      }
    }
    if (text[j] !== '"') throw new Error(`line ${line}: label ${name}: unterminated value`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`line ${line}: expected ',' or '}' after label ${name}`);
  }
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  /** Families whose TYPE line was read (a sample needs one before it, so no TYPE can follow samples). */
  const typed = new Set<string>();
  /** A family's samples come as one group: the family being read, and those already ended. */
  let current: string | undefined;
  const ended = new Set<string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('the exposition must end with a newline');
  lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!m) return; // another comment
      const [, keyword, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${JSON.stringify(name)}`);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest as MetricType)) throw new Error(`line ${line}: unknown type ${JSON.stringify(rest)}`);
        if (typed.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
        const family = families.get(name) ?? { name, type: 'untyped' as MetricType, samples: [] };
        family.type = rest as MetricType;
        typed.add(name);
        families.set(name, family);
      } else {
        const family = families.get(name) ?? { name, type: 'untyped' as MetricType, samples: [] };
        if (family.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        family.help = rest;
        families.set(name, family);
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
    if (!nameMatch) throw new Error(`line ${line}: not a sample: ${JSON.stringify(raw.slice(0, 80))}`);
    const name = nameMatch[0];
    let rest = raw.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const parts = rest.trim().split(/ +/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`line ${line}: expected ' value [timestamp]'`);
    const value = parseNumber(parts[0], line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
    const family = familyOf(name, families);
    if (!family || !typed.has(family.name)) throw new Error(`line ${line}: sample ${name} without a TYPE before it`);
    if (current !== family.name) {
      if (ended.has(family.name)) throw new Error(`line ${line}: samples of ${family.name} not in one group`);
      if (current) ended.add(current);
      current = family.name;
    }
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Buckets non-decreasing in `le` order within each label set, ending at +Inf = _count. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), s.value]);
    } else if (s.name === `${family.name}_count`) {
      entry.count = s.value;
    }
  }
  for (const [key, { buckets, count }] of series) {
    buckets.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i][1] < buckets[i - 1][1]) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const inf = buckets[buckets.length - 1];
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (count !== inf[1]) throw new Error(`${family.name}${key}: +Inf bucket ${inf[1]} ≠ _count ${count}`);
  }
}

/** The value of the sample `name` whose labels include `labels` (exactly one must match). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  if (!family) throw new Error(`no family for ${name}`);
  const matches = family.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples match`);
  return matches[0].value;
}
