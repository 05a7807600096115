/**
 * Limits of the whiteboard and chat channel (`/collab`, Hocuspocus). Shared so that the client
 * respects them too; the server enforces every one (see docs/spec/collab.md).
 */
export const COLLAB_LIMITS = {
  /** Largest WebSocket message (ws maxPayload); larger frames close the socket with 1009. */
  maxMessageBytes: 1024 * 1024,
  /** Default ceiling of one room's document (COLLAB_MAX_DOCUMENT_BYTES overrides it). */
  defaultMaxDocumentBytes: 16 * 1024 * 1024,
  /** Characters of one chat message. */
  maxChatMessageLength: 2000,
  /** Bounds of a chat message's `time` on read (2020-01-01 … 2200-01-01 UTC): anything else is not a server time. */
  chatTimeMin: Date.UTC(2020, 0, 1),
  chatTimeMax: Date.UTC(2200, 0, 1),
  /** Chat messages per connection: sustained per second, and burst. */
  chatMessagesPerSecond: 2,
  chatBurst: 10,
  /**
   * COL-16: a chat.send repeated with the same requestId and text by the same identity within
   * this time is answered with the message already posted, not posted again: a client that got
   * no answer (its connection was lost) sends it again as it was. The server remembers at most
   * chatRetryEntries posts (all rooms; the oldest forgotten first) and nothing across a restart.
   */
  chatRetryWindowMs: 5 * 60_000,
  chatRetryEntries: 10_000,
  /** Document, stateless and auth messages per socket: per second and burst; beyond, the socket is closed. */
  messagesPerSecond: 150,
  messageBurst: 600,
  /** Awareness (cursor, presence) messages per socket; beyond, they are dropped (never applied). */
  awarenessPerSecond: 120,
  awarenessBurst: 400,
  /** Before a socket has authenticated a document: messages, bytes, and time allowed. */
  preAuthMaxMessages: 32,
  preAuthMaxBytes: 256 * 1024,
  authTimeoutMs: 10_000,
  /** Failed authentications one socket may make before it is closed. */
  maxAuthFailures: 3,
  /** Documents one socket may open (the web client opens one). */
  maxDocumentsPerSocket: 4,
  /** Size of one awareness state (JSON) and of one board entry key. */
  maxAwarenessStateBytes: 8 * 1024,
  maxBoardKeyLength: 128,
  /** Awareness client ids one connection may publish for itself. */
  maxAwarenessClientsPerConnection: 4,
  /**
   * Sync requests (sync step 1: the server answers with everything the client lacks, up to the
   * whole document) per connection: sustained per second, and burst. The provider sends one per
   * (re)connect; beyond, the socket is closed (RATE_LIMITED).
   */
  syncRequestsPerSecond: 0.2,
  syncRequestBurst: 4,
  /**
   * Bytes a socket may have queued (ws bufferedAmount) when the server sends it more: the
   * document ceiling plus this slack. Beyond, the socket is closed as a slow consumer
   * (SLOW_CONSUMER), and dropped if it has not closed slowConsumerGraceMs later.
   */
  queueSlackBytes: 4 * 1024 * 1024,
  slowConsumerGraceMs: 5_000,
  /** Authenticated connections to one room's document: of one identity (token `sub`), and in all. */
  maxConnectionsPerIdentity: 4,
  maxConnectionsPerRoom: 400,
} as const;

/**
 * WebSocket close codes of refusals (4000–4999 are the application's). The close reason repeats
 * the code's name and says why.
 */
export const COLLAB_CLOSE_CODES = {
  /** A limit before authentication: too many or too large messages, or too many documents. */
  PRE_AUTH_LIMIT: 4400,
  /** Authentication failed too many times on one socket. */
  UNAUTHORIZED: 4401,
  /** An update or awareness message that breaks the document rules (e.g. writes the chat). */
  FORBIDDEN_UPDATE: 4403,
  /** No document authenticated within COLLAB_LIMITS.authTimeoutMs. */
  AUTH_TIMEOUT: 4408,
  /** The update would make the room's document larger than the server's ceiling. */
  DOCUMENT_TOO_LARGE: 4413,
  /** More messages per second than COLLAB_LIMITS allow. */
  RATE_LIMITED: 4429,
  /** The socket does not read what the server sends: more than the allowed bytes are queued. */
  SLOW_CONSUMER: 4509,
  /** A host removed this identity from the meeting (ACCESS-1): reconnecting is refused REMOVED. */
  REMOVED: 4410,
  /** The token expired (ACCESS-7): reconnecting with it is refused TOKEN_EXPIRED. */
  TOKEN_EXPIRED: 4419,
  /** The session the token was obtained with ended (AUTH-11/12): reconnecting with it is refused SESSION_ENDED. */
  SESSION_ENDED: 4411,
  /** The room was deleted (ROOM-7): its document is gone. */
  ROOM_DELETED: 4404,
  /** The server is shutting down. */
  SHUTTING_DOWN: 4503,
} as const;
export type CollabCloseCode = (typeof COLLAB_CLOSE_CODES)[keyof typeof COLLAB_CLOSE_CODES];
