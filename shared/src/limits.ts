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

/**
 * Connections and access (docs/spec/signaling.md SIG-11, SIG-12, ACCESS-n). Enforced by the
 * server; shared so that the client knows them.
 */
export const ACCESS_LIMITS = {
  /** socket.io connections one identity (token `sub`) may hold at once; the next is refused RATE_LIMITED. */
  maxSocketsPerIdentity: 4,
  /**
   * socket.io connections per room beyond its maxParticipants (lobby waiters, sockets not yet
   * joined, reconnect overlaps); the next is refused ROOM_FULL.
   */
  roomSocketMargin: 120,
  /** Bytes waiting to be sent to one socket (slow consumer); beyond, the connection is reset. */
  maxQueuedBytesPerSocket: 1024 * 1024,
  /** How often the queued bytes of every socket are measured. */
  queueCheckMs: 500,
  /** How often /collab connections are checked for an expired token. */
  tokenExpiryCheckMs: 1000,
  /** Guest tokens one client address may obtain for one room per window; beyond, 429 RATE_LIMITED. */
  guestTokensPerWindow: 20,
  guestTokenWindowMs: 60_000,
  /** Addresses of removed guests remembered per room (ACCESS-6); the oldest is forgotten beyond. */
  maxFlaggedAddressesPerRoom: 1000,
} as const;

/**
 * Incoming media (docs/spec/media.md MEDIA-1…3), in bits per second. Shared so that the client
 * declares encodings within them.
 */
export const MEDIA_LIMITS = {
  /** MEDIA-1: per source; a produce whose encodings declare more (sum of maxBitrate) is refused BAD_REQUEST. */
  maxBitrate: { microphone: 128_000, 'screen-audio': 128_000, camera: 2_000_000, screen: 3_000_000 },
  /**
   * MEDIA-2: a send transport's setMaxIncomingBitrate is the sum of its producers' caps, never
   * below this (a microphone and a camera: the usual first two ramp up without waiting).
   */
  minTransportBitrate: 2_128_000,
  /** MEDIA-3: a producer measured above tolerance × its cap over one window is closed. */
  bitrateTolerance: 1.5,
  bitrateWindowMs: 4000,
  /** MEDIA-4: a peer is sent the scores of its producers and consumers at most once per interval. */
  scoreIntervalMs: 2000,
} as const;

/** Resilience of a meeting (docs/spec/signaling.md SIG-13…16). */
/**
 * The signaling heartbeats (socket.io): the server pings every `pingIntervalMs` and drops a socket
 * whose pong is `pingTimeoutMs` late; the client gives up on a server silent for their sum. 3 + 3 s
 * (was 5 + 5): a node cut off the network is left within 6 s, so that its participants are back on
 * a live node within 8 s (NODE-5); at 15,000 connections that is 5,000 pings a second over the
 * service (docs/benchmarks.md).
 */
export const HEARTBEAT_LIMITS = {
  pingIntervalMs: 3_000,
  pingTimeoutMs: 3_000,
} as const;

export const RESUME_LIMITS = {
  /** Default time a participant whose socket was lost is kept (RESUME_GRACE_MS overrides it). */
  defaultGraceMs: 30_000,
  /** Notifications kept per participant for a resume; a client further behind joins anew. */
  replayBuffer: 1000,
  /** Client: a transport `disconnected` this long (or `failed`) asks for an ICE restart (SIG-14). */
  iceRestartAfterMs: 2_000,
  /** Client: reconnection backoff (with ±50 % jitter) and how long it keeps trying (SIG-16). */
  reconnectMinMs: 500,
  // 2.5 s at most (±50 %): a restored network is found within ~4 s (SIG-16, docs/benchmarks.md).
  reconnectMaxMs: 2_500,
  giveUpAfterMs: 120_000,
} as const;

/** Batched requests, `consumeMany` and `resumeConsumers` (docs/spec/signaling.md SIG-17). */
export const BATCH_LIMITS = {
  /** Ids in one batch; more is BAD_REQUEST (a room of 50 with microphones and cameras: 98 producers). */
  maxIdsPerBatch: 100,
  /** SIG-4: a batch costs one request per started group of this many ids (1–10 ids: 1, 100 ids: 10). */
  idsPerRequestCost: 10,
} as const;
