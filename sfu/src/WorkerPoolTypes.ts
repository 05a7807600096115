import type { types } from 'mediasoup';

export interface WorkerPoolOptions {
  /** Number of mediasoup workers (one per core by default). */
  numWorkers: number;
  /** IP the WebRtcServers listen on. */
  listenIp: string;
  /** IP put in ICE candidates (the address clients can reach). */
  announcedIp?: string;
  /** First WebRtcServer port: worker i listens on basePort + i (UDP and TCP). 0 picks free ports. */
  basePort: number;
  /** Port range of the workers (used when basePort is 0). */
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel?: types.WorkerLogLevel;
  /** Path of the mediasoup-worker binary, if not the one inside node_modules. */
  workerBin?: string;
  /**
   * Consumers beyond which a worker counts as busy (PLACE-2): new participants of its rooms are
   * placed on another worker and the media piped between them. mediasoup's rule of thumb is about
   * 500 consumers per worker (one CPU core).
   */
  maxConsumersPerWorker?: number;
  /**
   * PLACE-4: after a slot died too often, how long it rests before a new worker is tried
   * (doubling at each further give-up, at most 10 minutes). Default 60 s.
   */
  restartCooldownMs?: number;
  /** REACH-1: the HTTP port that also carries ICE-TCP, when the server shares it. */
  sharedTcpPort?: SharedTcpPort;
}

export interface MediaWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers currently hosted on this worker. */
  routers: number;
  /** Consumers currently on this worker (WebRTC, pipe and plain), its load. */
  consumers: number;
}

export type WorkerPoolEvents = {
  /** A worker died; the rooms it hosted have been closed. */
  workerdied: [index: number, error: Error];
  /** A dead worker was replaced by a new process. */
  workerrestarted: [index: number, pid: number];
  /** A worker slot died too often (or could not restart): it stays empty for `retryInMs`, then is tried again. */
  workergaveup: [index: number, retryInMs: number];
};

/**
 * REACH-1: media on the HTTP port. The server's HTTP listener also takes ICE-TCP connections and
 * relays each to the worker whose transport its first STUN request names; transports announce
 * that port as one more (passive TCP, lowest priority) candidate.
 */
export interface SharedTcpPort {
  /** The extra candidate, with a priority just below `belowPriority`. */
  candidate(belowPriority: number): types.IceCandidate;
  /** ICE-TCP connections naming `ufrag` go to the worker's own TCP port `port`; the function undoes it. */
  route(ufrag: string, port: number): () => void;
}
