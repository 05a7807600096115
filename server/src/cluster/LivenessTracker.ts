import type { NodeInfo } from './nodeInfo.js';

/** What changed between two surveys of the live nodes. */
export interface LivenessChanges {
  up: NodeInfo[];
  down: string[];
}

/**
 * One directory's view of which nodes are alive, updated from successive surveys (the list of
 * live heartbeat keys). A node missing from a survey is declared down only once this directory
 * has been connected to Redis for `settleMs` without interruption: right after a reconnection
 * (above all after Redis restarted empty) the other nodes have not written their heartbeat again
 * yet, and their absence says nothing about them.
 */
export class LivenessTracker {
  readonly #known = new Map<string, NodeInfo>();
  /** Settled from the start: the nodes known then are only those this directory has seen since. */
  #connectedSince: number | undefined = Number.NEGATIVE_INFINITY;

  constructor(readonly settleMs: number) {}

  connected(now = Date.now()): void {
    this.#connectedSince ??= now;
  }

  disconnected(): void {
    this.#connectedSince = undefined;
  }

  get known(): ReadonlyMap<string, NodeInfo> {
    return this.#known;
  }

  /** Applies a survey. A missing node is in `down` (settled only) and stays known until forget(). */
  update(live: NodeInfo[], now = Date.now()): LivenessChanges {
    const settled = this.#connectedSince !== undefined && now - this.#connectedSince >= this.settleMs;
    const seen = new Set<string>();
    const up: NodeInfo[] = [];
    for (const node of live) {
      seen.add(node.id);
      if (!this.#known.has(node.id)) up.push(node);
      this.#known.set(node.id, node);
    }
    const down: string[] = [];
    if (settled) {
      for (const id of this.#known.keys()) {
        if (!seen.has(id)) down.push(id);
      }
    }
    return { up, down };
  }

  /** Once its nodeDown is out: until then a node found down is reported again by the next survey. */
  forget(id: string): void {
    this.#known.delete(id);
  }
}
