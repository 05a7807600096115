import { CLUSTER_LIMITS } from '@nomades/shared';
import type { NodeInfo } from './nodeInfo.js';

/**
 * NODE-5b: is a node's process gone? Asked when a client reports the room's home unreachable. A
 * refused connection to its `/healthz` means nothing listens there any more (SIGKILL, a crash);
 * anything else (an answer of any status, a timeout, a proxy's error page) does not prove it, and
 * the heartbeat's expiry (NODE_TTL_MS) stays the judge. One probe per node at a time, so that a
 * room's worth of clients reporting at once costs one request; "gone" is remembered for
 * `probeReuseMs` (a node that answered may die the next moment: that answer is not kept).
 */
export class NodeProbe {
  /** When each node run was found gone. */
  readonly #goneAt = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #timeoutMs: number;

  constructor(timeoutMs: number = CLUSTER_LIMITS.probeTimeoutMs) {
    this.#timeoutMs = timeoutMs;
  }

  isGone(node: NodeInfo, now = Date.now()): Promise<boolean> {
    const key = `${node.id}@${node.startedAt}`;
    const goneAt = this.#goneAt.get(key);
    if (goneAt !== undefined && now - goneAt < CLUSTER_LIMITS.probeReuseMs) return Promise.resolve(true);
    const running = this.#inFlight.get(key);
    if (running) return running;
    const probe = this.#probe(node.url).then((gone) => {
      this.#inFlight.delete(key);
      this.#forgetOld(now);
      if (gone) this.#goneAt.set(key, Date.now());
      return gone;
    });
    this.#inFlight.set(key, probe);
    return probe;
  }

  async #probe(url: string): Promise<boolean> {
    try {
      const answer = await fetch(`${url.replace(/\/+$/, '')}/healthz`, { signal: AbortSignal.timeout(this.#timeoutMs), redirect: 'manual' });
      await answer.body?.cancel();
      return false;
    } catch (error) {
      return refused(error);
    }
  }

  /** Bounded: findings older than the reuse window are dropped. */
  #forgetOld(now: number): void {
    for (const [key, at] of this.#goneAt) if (now - at >= CLUSTER_LIMITS.probeReuseMs) this.#goneAt.delete(key);
  }
}

/** undici wraps the socket error: ECONNREFUSED in `cause` (or in one of an AggregateError's errors for a host with several addresses). */
function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } } | undefined)?.cause;
  if (cause?.code === 'ECONNREFUSED') return true;
  return Array.isArray(cause?.errors) && cause.errors.length > 0 && cause.errors.every((e) => e.code === 'ECONNREFUSED');
}
