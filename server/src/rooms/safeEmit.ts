import type { EventEmitter } from 'node:events';
import type { Logger } from '../logging/logger.js';

/**
 * Calls every listener of `event` like `emit` does, but a listener that throws or returns a
 * rejected promise is logged with `context` (room, peer) instead of breaking the caller: the
 * room's state change that fired the event has already happened and must stay consistent.
 */
export function safeEmit(emitter: EventEmitter, event: string, args: unknown[], log: Logger, context: Record<string, unknown>): void {
  // rawListeners: `once` wrappers, which remove themselves when called.
  for (const listener of emitter.rawListeners(event) as Array<(...a: unknown[]) => unknown>) {
    try {
      const result = listener.apply(emitter, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) => log.error({ err: error, event, ...context }, 'room event listener failed'));
      }
    } catch (error) {
      log.error({ err: error, event, ...context }, 'room event listener failed');
    }
  }
}
