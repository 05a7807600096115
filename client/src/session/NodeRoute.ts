import { CLUSTER_LIMITS, nodeUrlSchema } from '@nomades/shared';

/**
 * Which node of the service this client talks to (NODE-2/3 in docs/operations/several-nodes.md).
 * It starts with the node that served the page; a refused handshake (WRONG_NODE) names the node
 * that hosts the room and the client follows it; a join answer lists the other live nodes, where
 * the client turns, one after the other, when the node it talks to stops answering (even the one
 * that served its page). On one node there is nothing to learn and nothing changes.
 */
export class NodeRoute {
  #current: string;
  /** Nodes to try when the current one fails, in order; the page's node is kept as a last resort. */
  #others: string[] = [];
  readonly #page: string;
  /** When each node last failed to answer (NODE-5). */
  readonly #failedAt = new Map<string, number>();

  constructor(pageNode: string) {
    this.#current = pageNode;
    this.#page = pageNode;
  }

  get current(): string {
    return this.#current;
  }

  /** The room lives at `url` (a WRONG_NODE refusal); false when the address is not usable. */
  follow(url: unknown): boolean {
    const parsed = nodeUrlSchema.safeParse(url);
    if (!parsed.success || parsed.data === this.#current) return false;
    this.#remember(this.#current);
    this.#others = this.#others.filter((n) => n !== parsed.data);
    this.#current = parsed.data;
    return true;
  }

  /** The other live nodes, from a join answer (replaces what was known, malformed ones dropped). */
  learn(nodes: readonly unknown[]): void {
    const valid = nodes.flatMap((n) => {
      const parsed = nodeUrlSchema.safeParse(n);
      return parsed.success && parsed.data !== this.#current ? [parsed.data] : [];
    });
    this.#others = [...new Set([...valid, ...(this.#page !== this.#current ? [this.#page] : [])])];
  }

  /** The current node did not answer: the next one becomes current (false when there is none). */
  failed(now = Date.now()): boolean {
    this.#failedAt.set(this.#current, now);
    const next = this.#others.shift();
    if (!next) return false;
    this.#remember(this.#current);
    this.#current = next;
    return true;
  }

  /**
   * The current node went silent (a ping timeout): the next attempt starts on another node, which
   * knows where the room is now, instead of waiting out a connect timeout on a node that may be
   * cut off. It is not marked failed: when it is only our own network that blinked, the other
   * node sends us straight back to it. False when there is no other node.
   */
  avoid(): boolean {
    const next = this.#others.shift();
    if (!next) return false;
    this.#remember(this.#current);
    this.#current = next;
    return true;
  }

  /** The node did not answer a moment ago (CLUSTER_LIMITS.suspectMs): a home named there is stale. */
  suspect(url: unknown, now = Date.now()): boolean {
    const at = typeof url === 'string' ? this.#failedAt.get(url) : undefined;
    return at !== undefined && now - at < CLUSTER_LIMITS.suspectMs;
  }

  /** A node that failed goes to the end of the list: it may be back by the time it comes round. */
  #remember(node: string): void {
    if (!this.#others.includes(node)) this.#others.push(node);
  }
}
