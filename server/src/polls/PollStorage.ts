import { AppError } from '@nomades/shared';
import { KeyedChain } from '../store/KeyedChain.js';
import type { PollStore, StoredPolls } from '../store/PollStore.js';

/** Where a failed write is recorded (FaultLog: `/healthz` degraded). */
export interface PollFaults {
  record(source: string, error: unknown, context?: Record<string, unknown>): void;
}

/** The FaultLog source of poll and question store failures (POLL-9). */
export const POLL_STORE_FAULT = 'polls.store';

/**
 * A room's polls and questions in the store (POLL-9): read when its meeting opens, written through
 * on every change, one room's steps in the order they were asked (a read after a meeting's last
 * writes sees them; a vote changed twice is stored last as it was last cast). A failed write is
 * kept in the live meeting and recorded as a fault; a failed read answers UNAVAILABLE.
 */
export class PollStorage {
  readonly #store: PollStore;
  readonly #faults: PollFaults;
  readonly #chain = new KeyedChain();

  constructor(store: PollStore, faults: PollFaults) {
    this.#store = store;
    this.#faults = faults;
  }

  /** Everything of the room, after the writes asked before. */
  async load(roomId: string): Promise<StoredPolls> {
    try {
      return await this.#chain.run(roomId, () => this.#store.load(roomId));
    } catch (error) {
      this.#faults.record(POLL_STORE_FAULT, error, { room: roomId, op: 'load' });
      throw new AppError('UNAVAILABLE', 'the polls of this room cannot be read for now');
    }
  }

  /** Writes a change through, after the room's earlier steps (never rejects). */
  write(roomId: string, op: string, step: (store: PollStore) => Promise<void>): void {
    void this.#chain.run(roomId, () => step(this.#store)).catch((error: unknown) => {
      this.#faults.record(POLL_STORE_FAULT, error, { room: roomId, op });
    });
  }

  /** Resolves once the room's writes asked so far have ended. */
  idle(roomId: string): Promise<void> {
    return this.#chain.idle(roomId);
  }

  /** Resolves once every write asked so far has ended (the store closes after them). */
  allIdle(): Promise<void> {
    return this.#chain.allIdle();
  }

  /** The store itself, read after idle() (the CSV export). */
  get store(): PollStore {
    return this.#store;
  }
}
