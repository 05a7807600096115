import { fork, type ChildProcess } from 'node:child_process';
import type { BotSpec, FromRunner, RunnerConfig, ToRunner } from './botRunner.js';

type Reply<T extends FromRunner['type']> = Extract<FromRunner, { type: T }>;
type Waiter = { type: FromRunner['type']; resolve(m: FromRunner): void; reject(e: Error): void };

/** Never leave bot processes behind, even when the benchmark crashes (one exit hook for all). */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * One forked process of bots (lib/botRunner.ts), driven over IPC: each call sends a command and
 * waits for its answer; a `failed` answer or the process's exit rejects every pending call.
 */
export class BotProcess {
  readonly #child: ChildProcess;
  readonly #waiting: Waiter[] = [];

  constructor(config: RunnerConfig, onEvent: (m: Reply<'joined'> | Reply<'lost'>) => void) {
    this.#child = fork('scripts/bench/lib/botRunner.ts', [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BOT_RUNNER_CONFIG: JSON.stringify(config) },
    });
    children.add(this.#child);
    this.#child.on('message', (m: FromRunner) => {
      if (m.type === 'lost') return onEvent(m);
      if (m.type === 'failed') return this.#failAll(new Error(`bot process ${this.pid}: ${m.error}`));
      if (m.type === 'joined') onEvent(m);
      const i = this.#waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.#waiting.splice(i, 1)[0].resolve(m);
    });
    this.#child.once('exit', (code) => children.delete(this.#child) && this.#failAll(new Error(`bot process ${this.pid} exited (${code})`)));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  join(spec: BotSpec): Promise<Reply<'joined'>> {
    return this.#call({ type: 'join', spec }, 'joined');
  }

  ready(): Promise<Reply<'ready'>> {
    return this.#call({ type: 'ready' }, 'ready');
  }

  /** One bot of this process leaves and joins again with the same token; answers its join phases. */
  rejoin(name: string): Promise<Reply<'rejoined'>> {
    return this.#call({ type: 'rejoin', name }, 'rejoined');
  }

  /** Every bot of this process mutes (or unmutes) its microphone. */
  mute(muted: boolean): Promise<Reply<'muted'>> {
    return this.#call({ type: 'mute', muted }, 'muted');
  }

  /** Every bot of this process leaves its room; the process stays for the next joins. */
  leaveAll(): Promise<Reply<'left'>> {
    return this.#call({ type: 'leaveAll' }, 'left');
  }

  totals(): Promise<Reply<'totals'>> {
    return this.#call({ type: 'totals' }, 'totals');
  }

  stop(): void {
    if (this.#child.connected) this.#child.send({ type: 'stop' } satisfies ToRunner);
    setTimeout(() => this.#child.kill('SIGKILL'), 3000).unref();
  }

  #call<T extends FromRunner['type']>(message: ToRunner, answer: T): Promise<Reply<T>> {
    return new Promise((resolve, reject) => {
      if (!this.#child.connected) return reject(new Error(`bot process ${this.pid} is gone`));
      this.#waiting.push({ type: answer, resolve: resolve as (m: FromRunner) => void, reject });
      this.#child.send(message);
    });
  }

  #failAll(error: Error): void {
    for (const w of this.#waiting.splice(0)) w.reject(error);
  }
}
