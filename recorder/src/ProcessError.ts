import type { ProcessOutcome } from './SupervisedProcess.js';

/** A process that did not end as asked: its cause, exit and stderr tail, for the recording's `error`. */
export class ProcessError extends Error {
  readonly outcome: ProcessOutcome;

  constructor(label: string, outcome: ProcessOutcome) {
    super(`${label} ${describeOutcome(outcome)}`);
    this.name = 'ProcessError';
    this.outcome = outcome;
  }
}

/** "made no progress for 60 s and was killed (…last stderr line)" and the like. */
export function describeOutcome(o: ProcessOutcome): string {
  const last = o.stderrTail.at(-1);
  const what =
    o.cause === 'stalled'
      ? 'made no progress and was killed'
      : o.cause === 'deadline'
        ? `ran past its deadline (${Math.round(o.elapsedMs / 1000)} s) and was killed`
        : o.cause === 'stopped'
          ? 'was stopped'
          : o.code === null
            ? `ended by ${o.signal ?? 'an error'}`
            : `exited with code ${o.code}`;
  return last ? `${what} (${last})` : what;
}
