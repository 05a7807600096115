/** Where a room's meeting runs: on this node, or on another one, named by its base URL. */
export type RoomLocation = { here: true } | { here: false; node: string };

/**
 * The one question the join path asks of the cluster (NODE-1…3 in docs/operations/several-nodes.md):
 * signaling and the board ask it, and do not learn how it is answered. One node answers "here"
 * (`ONE_NODE`); several nodes answer from the node directory in Redis (`DirectoryPlacement`),
 * chosen in the composition root.
 */
export interface RoomPlacement {
  /**
   * Where the room runs; a room that runs nowhere (or on a dead node) is placed first, atomically.
   * Rejects with an AppError UNAVAILABLE (retryable) when it cannot be known. `prefix`: the path
   * prefix the connection came through (`forwardedPrefix`); behind a front that routes
   * `/n/<node>/` to each node, the room's node only serves what came through its own NODE_URL.
   * `unreachable`: the client could not reach this node a moment ago (NODE-5b); a home of that
   * address whose port refuses connections is declared dead at once.
   */
  place(roomId: string, prefix?: string, unreachable?: string): Promise<RoomLocation>;
  /** The other live nodes' base URLs (a join answer's `nodes`, NODE-3); none on one node. */
  otherNodes(): string[];
  /** The base URL of the live node the room runs on when it is not this one (NODE-4); never places it. */
  homeElsewhere(roomId: string): Promise<string | undefined>;
  /**
   * NODE-5b: `url`, the room's home, refused a connection: if it is still the home and its port
   * refuses connections, it is declared dead now. Never rejects.
   */
  reportUnreachable(roomId: string, url: string): Promise<void>;
}

/** One node: every room is here. */
export const ONE_NODE: RoomPlacement = {
  place: async () => ({ here: true }),
  otherNodes: () => [],
  homeElsewhere: async () => undefined,
  reportUnreachable: async () => undefined,
};
