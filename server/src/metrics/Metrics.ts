import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { authErrorCodeSchema, type AuthErrorCode } from '@nomades/shared';

/**
 * `result` of `nomades_webhook_deliveries_total` (OPS-4): `delivered` (2xx), `retried` (an attempt
 * failed, another one is scheduled), `failed` (given up: attempts exhausted or a final refusal),
 * `dropped` (never tried: the queue was full).
 */
export const WEBHOOK_RESULTS = ['delivered', 'retried', 'failed', 'dropped'] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

/** `phase` of `nomades_join_seconds` (OPS-3): socket connected → joined; → first remote media (client report). */
export const JOIN_PHASES = ['joined', 'first_media'] as const;
export type JoinPhase = (typeof JOIN_PHASES)[number];

/** OPS-3: what a signaling session reports of a join (server/src/signaling/PeerSession.ts). */
export interface JoinTimings {
  /** Socket connected → join answered (a session's first join request only: no lobby wait counted). */
  joined(seconds: number): void;
  /** Socket connected → first remote media, as the client measured it (reportFirstMedia). */
  firstMedia(seconds: number): void;
}

/** `outcome` of `nomades_logins_total` (AUTH-14): `ok`, or the error page's code. */
export const LOGIN_OUTCOMES = ['ok', ...authErrorCodeSchema.options] as const;
export type LoginOutcome = 'ok' | AuthErrorCode;

/** Seconds: a join on a loopback test takes ~0.05 s, a loaded server a few seconds; first media adds ICE and DTLS. */
const JOIN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];

/** The longest one source may take to answer a scrape (a worker or Redis that does not answer). */
export const METRICS_READ_TIMEOUT_MS = 2_000;

/** One sample of a gauge read at scrape time: a bare number, or values by label. */
export type Samples<L extends string> = number | Array<{ labels: Partial<Record<L, string | number>>; value: number }>;

/**
 * The server's Prometheus metrics (docs/spec/operations.md OPS-n): a registry of its own (tests run
 * several servers in one process, so never prom-client's global one), the process and event-loop
 * metrics, the counters and histograms others push into (`webhookDelivered`, `joinTimings`), and
 * gauges read at scrape time from whoever knows the value (`gauge(…)`). No label carries a room,
 * a participant or any other unbounded value (OPS-5).
 */
export class Metrics {
  readonly registry = new Registry();
  /** OPS-4: webhook attempts by outcome (W's dispatcher calls `webhookDelivered`). */
  readonly webhookDeliveries: Counter<'result'>;
  /** OPS-3: connect → joined, and → first media when the client reports it. */
  readonly joinSeconds: Histogram<'phase'>;
  /** SIG-13 resumes: a participant's new socket took over its seat. */
  readonly reconnections: Counter;
  /** Sign-in (AUTH-n): logins by outcome. */
  readonly logins: Counter<'outcome'>;
  #closed = false;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.webhookDeliveries = new Counter({
      name: 'nomades_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result (delivered, retried, failed: given up, dropped: queue full).',
      labelNames: ['result'],
      registers: [this.registry],
    });
    for (const result of WEBHOOK_RESULTS) this.webhookDeliveries.inc({ result }, 0);
    this.joinSeconds = new Histogram({
      name: 'nomades_join_seconds',
      help: 'Seconds from the signaling socket connecting to the join answered (phase=joined), and to the first remote media playing as the client reports it (phase=first_media).',
      labelNames: ['phase'],
      buckets: JOIN_BUCKETS,
      registers: [this.registry],
    });
    for (const phase of JOIN_PHASES) this.joinSeconds.zero({ phase });
    this.reconnections = new Counter({
      name: 'nomades_reconnections_total',
      help: 'Participants resumed by a new socket within the grace period (SIG-13).',
      registers: [this.registry],
    });
    this.logins = new Counter({
      name: 'nomades_logins_total',
      help: 'Sign-ins by outcome: ok, or the code of the error page (login_expired, provider_refused, provider_unavailable, second_factor_required, not_allowed, …).',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of LOGIN_OUTCOMES) this.logins.inc({ outcome }, 0);
  }

  /** OPS-4: one webhook attempt's outcome. */
  webhookDelivered(result: WebhookResult): void {
    this.webhookDeliveries.inc({ result });
  }

  /** AUTH-14: one sign-in's outcome (a login begun that failed, or a callback). */
  loginCounted(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** OPS-3: what the signaling sessions report (server/src/signaling/PeerSession.ts). */
  readonly joinTimings: JoinTimings = {
    joined: (seconds: number): void => this.joinSeconds.observe({ phase: 'joined' }, seconds),
    firstMedia: (seconds: number): void => this.joinSeconds.observe({ phase: 'first_media' }, seconds),
  };

  /**
   * A gauge whose value is read at each scrape: `read` returns a number or values by label (a
   * series not returned disappears). A read that throws, or takes longer than
   * METRICS_READ_TIMEOUT_MS, leaves the gauge without samples for that scrape: one failing source
   * never breaks or stalls /metrics.
   */
  gauge<L extends string = never>(options: { name: string; help: string; labelNames?: readonly L[]; read: () => Samples<L> | Promise<Samples<L>> }): Gauge<L> {
    const { read } = options;
    return new Gauge<L>({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        await refill(this, read, (labels, value) => (labels ? this.set(labels, value) : (this as Gauge<string>).set(value)));
      },
    });
  }

  /** The same, for a value that only grows (prom-client counters have no `set`: reset and add). */
  counter<L extends string = never>(options: { name: string; help: string; labelNames?: readonly L[]; read: () => Samples<L> | Promise<Samples<L>> }): Counter<L> {
    const { read } = options;
    return new Counter<L>({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        await refill(this, read, (labels, value) => (labels ? this.inc(labels, value) : (this as Counter<string>).inc(value)));
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Forgets every metric (the composition root's close). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.registry.clear();
  }
}

/**
 * A scrape-time metric's collect(): empties it, then puts in what `read` returns (`put` sets a
 * gauge or adds to a counter); a read that throws or times out leaves it empty for this scrape.
 */
async function refill<L extends string>(
  metric: { reset(): void },
  read: () => Samples<L> | Promise<Samples<L>>,
  put: (labels: Partial<Record<L, string | number>> | null, value: number) => void,
): Promise<void> {
  let samples: Samples<L>;
  try {
    samples = await bounded(read);
  } catch {
    metric.reset();
    return;
  }
  metric.reset();
  if (typeof samples === 'number') put(null, samples);
  else for (const s of samples) put(s.labels, s.value);
}

/** `read()`, or a rejection after METRICS_READ_TIMEOUT_MS. */
async function bounded<T>(read: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('metrics source timed out')), METRICS_READ_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(read), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
