/** Limits on everything a client can send. Shared so that the client can respect them too. */
export const LIMITS = {
  /** socket.io maxHttpBufferSize: the largest single signaling message, in bytes. */
  maxMessageBytes: 64 * 1024,
  /** Token bucket per socket: sustained requests per second and burst. */
  requestsPerSecond: 50,
  requestBurst: 240,
  /** A socket that has not joined within this delay is disconnected. */
  joinTimeoutMs: 15_000,
  /** Display names and room names. */
  maxDisplayNameLength: 64,
  maxRoomNameLength: 120,
  maxIdLength: 64,
  /** Participants per room: default and hard ceiling. */
  defaultMaxParticipants: 50,
  /** Default capacity of a virtual coffee room. */
  defaultCoffeeParticipants: 8,
  /** Screens shared at once in a room, by default. */
  defaultMaxScreenShares: 1,
  maxParticipantsCeiling: 200,
  /** Producers one peer may hold at once (mic, camera, screen, screen audio). */
  maxProducersPerPeer: 4,
  /** Transports one peer may hold at once. */
  maxTransportsPerPeer: 4,
  /** Lifetime of tokens, in seconds. */
  defaultTokenTtlSeconds: 8 * 3600,
  guestTokenTtlSeconds: 2 * 3600,
  maxTokenTtlSeconds: 7 * 24 * 3600,
} as const;
