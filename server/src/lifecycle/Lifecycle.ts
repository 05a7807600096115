import type { Logger } from '../logging/logger.js';

interface Entry {
  name: string;
  stop: () => unknown;
}

/**
 * The undo stack of a node's parts. Each part is started through `start(name, make, stop)`, which
 * pushes how to stop it; `stop()` runs those in reverse order, once. The same list serves a start
 * that fails half-way (what started is stopped, newest first), a shutdown, and tests starting
 * several nodes: one node or three, SQLite or PostgreSQL changes which parts are on the list, not
 * the code that runs it.
 *
 * The order on the list is the order of shutdown reversed: a part that must stop before another
 * one is registered after it, even when it was built earlier (`onStop` pushes a stop step alone).
 */
export class Lifecycle {
  readonly #log: Logger;
  readonly #stack: Entry[] = [];
  #stopping?: Promise<void>;

  constructor(log: Logger) {
    this.#log = log.child({ name: 'lifecycle' });
  }

  /** Builds a part and registers its stop; a part that fails to build registers nothing. */
  async start<T>(name: string, make: () => T | Promise<T>, stop: (part: T) => unknown): Promise<T> {
    if (this.#stopping) throw new Error(`cannot start ${name}: the node is stopping`);
    const part = await make();
    this.#stack.push({ name, stop: () => stop(part) });
    return part;
  }

  /** Registers a step of the shutdown alone (a part built earlier that must stop at this point). */
  onStop(name: string, stop: () => unknown): void {
    this.#stack.push({ name, stop });
  }

  /** The names on the list, in start order (the operations guide and tests read it). */
  get names(): string[] {
    return this.#stack.map((e) => e.name);
  }

  /**
   * Stops everything started, newest first. A step that throws is logged and the next ones still
   * run: a shutdown never stops half-way. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      while (this.#stack.length > 0) {
        const entry = this.#stack.pop()!;
        try {
          await entry.stop();
        } catch (error) {
          this.#log.error({ err: error, part: entry.name }, 'part failed to stop');
        }
      }
    })();
    return this.#stopping;
  }

  /** Runs `build` on this list; if it throws, stops what it started and rethrows. */
  async build<T>(build: (life: Lifecycle) => Promise<T>): Promise<T> {
    try {
      return await build(this);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }
}
