/** Message types of the Hocuspocus protocol (first varUint after the document name). */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  SyncReply: 4,
  Stateless: 5,
  BroadcastStateless: 6,
  Close: 7,
  SyncStatus: 8,
} as const;

/** Sub-types of a Sync message (y-protocols). */
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;
