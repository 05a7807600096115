/**
 * SPAN-2/4: how this node's media layer talks to one other node about one room. The server
 * implements it over the authenticated link between nodes (`server/src/cluster/NodeLink.ts`);
 * the sfu's tests implement it in memory. Requests are answered or rejected with an `AppError`
 * (`UNAVAILABLE` when the other node cannot be reached or does not answer in time); events are
 * fire-and-forget, delivered in order.
 */
export interface NodeChannel {
  /** The other node's id. */
  readonly nodeId: string;
  request(method: string, data: unknown): Promise<unknown>;
  send(event: string, data: unknown): void;
  /** Registers the handler of the other side's requests (one per method) and events. */
  handle(method: string, handler: (data: unknown) => Promise<unknown>): void;
  on(event: string, listener: (data: unknown) => void): void;
  /** The channel is gone for good (the other node died, or this room's span ended). */
  onClose(listener: () => void): void;
}
