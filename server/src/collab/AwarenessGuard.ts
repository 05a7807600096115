import type { Awareness } from 'y-protocols/awareness';
import { COLLAB_LIMITS } from '@nomades/shared';
import { VarReader } from './VarReader.js';

/** Who sends an awareness update: the token's identity and display name. */
export interface AwarenessSender {
  /** Token `sub`. */
  id: string;
  name: string;
  /** Awareness client ids this connection has claimed. */
  claimed: Set<number>;
}

/**
 * Checks awareness (presence, cursors) updates of one document before they are applied. A
 * client id belongs to the identity that first published it; another identity may only send
 * what changes nothing (standard providers echo the states they receive) or an equal-clock
 * removal. In a state, `user: { id, name }` must be the token's, and a tldraw `presence` must have
 * the same userId and userName: nobody draws a cursor under someone else's name.
 */
export class AwarenessGuard {
  readonly #owners = new Map<number, string>();

  constructor(private readonly awareness: Awareness) {}

  /** Returns why the update is refused, or null. */
  check(update: Uint8Array, sender: AwarenessSender): string | null {
    let entries: Array<{ clientId: number; clock: number; json: string }>;
    try {
      const reader = new VarReader(update);
      const count = reader.varUint();
      entries = [];
      for (let i = 0; i < count; i++) entries.push({ clientId: reader.varUint(), clock: reader.varUint(), json: reader.varString() });
    } catch {
      return 'malformed awareness update';
    }
    for (const { clientId, clock, json } of entries) {
      const owner = this.#owners.get(clientId);
      const current = this.awareness.meta.get(clientId)?.clock ?? -1;
      if (owner !== sender.id) {
        const changesNothing = clock <= current;
        if (changesNothing) continue;
        if (owner !== undefined) return `awareness client ${clientId} belongs to someone else`;
        if (sender.claimed.size >= COLLAB_LIMITS.maxAwarenessClientsPerConnection) return 'too many awareness clients';
      }
      if (json.length > COLLAB_LIMITS.maxAwarenessStateBytes) return 'awareness state too large';
      const problem = checkState(json, sender);
      if (problem) return problem;
      if (owner === undefined) {
        this.#owners.set(clientId, sender.id);
        sender.claimed.add(clientId);
      }
    }
    return null;
  }

  /** Forgets the client ids of a closed connection whose states are gone. */
  release(claimed: Iterable<number>): void {
    for (const id of claimed) if (!this.awareness.states.has(id)) this.#owners.delete(id);
  }
}

function checkState(json: string, sender: AwarenessSender): string | null {
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    return 'awareness state is not JSON';
  }
  if (state === null) return null;
  if (typeof state !== 'object' || Array.isArray(state)) return 'awareness state must be an object';
  const { user, presence } = state as { user?: { id?: unknown; name?: unknown }; presence?: { userId?: unknown; userName?: unknown } };
  if (user !== undefined && (user === null || user.id !== sender.id || user.name !== sender.name)) {
    return 'awareness user must be the token holder';
  }
  if (presence !== undefined && presence !== null && (presence.userId !== sender.id || presence.userName !== sender.name)) {
    return 'presence must be the token holder';
  }
  return null;
}
