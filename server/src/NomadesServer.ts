import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkerPool } from '@nomades/sfu';
import { COLLAB_PATH } from '@nomades/shared';
import { clientAddress } from './access/clientAddress.js';
import { RoomAccess } from './access/RoomAccess.js';
import { TokenService } from './auth/TokenService.js';
import type { Config } from './config/Config.js';
import { ensureSecrets } from './config/ensureSecrets.js';
import { privateUmask } from './config/privateDir.js';
import { CollabServer } from './collab/CollabServer.js';
import { loadCollabConfig } from './collab/collabConfig.js';
import { collabRouter } from './collab/collabRouter.js';
import { createHttpApp } from './http/createHttpApp.js';
import { InviteService } from './invites/InviteService.js';
import { invitesRouter } from './invites/invitesRouter.js';
import { hardenHttpServer, HTTP_SERVER_OPTIONS } from './http/hardenHttpServer.js';
import { UpgradeRouter } from './http/UpgradeRouter.js';
import { FaultLog } from './health/FaultLog.js';
import { createLogger, type Logger } from './logging/logger.js';
import { accessLog } from './logging/accessLog.js';
import { Metrics } from './metrics/Metrics.js';
import { metricsRouter } from './metrics/metricsRouter.js';
import { recordingMetrics } from './metrics/recordingMetrics.js';
import { roomMetrics } from './metrics/roomMetrics.js';
import { workerMetrics } from './metrics/workerMetrics.js';
import { IceTcpRelay, type IceTcpRelayStats } from './reach/IceTcpRelay.js';
import { resolveAnnouncedIp } from './reach/resolveAnnouncedIp.js';
import { PortMux, type PortMuxStats } from './reach/PortMux.js';
import { TlsEndpoint } from './reach/TlsEndpoint.js';
import { TurnService } from './reach/TurnService.js';
import { RoomDeletion } from './rooms/RoomDeletion.js';
import { RoomRegistry } from './rooms/RoomRegistry.js';
import { RecordingService } from './recording/RecordingService.js';
import { localUrl } from './recording/localUrl.js';
import { SignalingServer, SOCKET_IO_PATH, type SignalingStats } from './signaling/SignalingServer.js';
import type { ModerationStore } from './store/ModerationStore.js';
import { Store } from './store/Store.js';
import { RetentionService } from './retention/RetentionService.js';
import { createWebhooks } from './webhooks/createWebhooks.js';
import { RoomWebhooks } from './webhooks/RoomWebhooks.js';
import type { Webhooks } from './webhooks/WebhookTypes.js';
import { webhooksRouter } from './webhooks/webhooksRouter.js';
import type { RoomStore } from './store/RoomStore.js';

/**
 * The composition root: builds every part from the configuration, owns them, and closes them
 * in reverse order. `NomadesServer.start(config)` is what `npm start` and the tests call.
 */
export class NomadesServer {
  readonly config: Config;
  readonly log: Logger;
  readonly store: RoomStore;
  /** Bans, lock, lobby, media locks, roles given by hosts, removed guests' addresses (MOD-10). */
  readonly moderation: ModerationStore;
  readonly tokens: TokenService;
  readonly pool: WorkerPool;
  readonly registry: RoomRegistry;
  /** Who may join a room, and with which role: the meeting and the board ask it (ACCESS-n). */
  readonly access: RoomAccess;
  /** Signed, retried events to WEBHOOK_URL (in the BullMQ queue when Redis is there): `webhooks.emit('recording.ready', …)`. */
  readonly webhooks: Webhooks;
  /** RET-1/2: recordings and chat messages deleted when older than their retention. */
  readonly retention: RetentionService;
  /** Whiteboard and chat (Hocuspocus on /collab). */
  readonly collab: CollabServer;
  /** Recordings of flagged rooms: store, queue, trigger, recorder process (recorder/README.md). */
  readonly recording: RecordingService;
  readonly adminKey: string;
  readonly secretsFile?: string;
  /** Background failures, by source (reflected in /healthz). */
  readonly faults: FaultLog;
  /** Prometheus metrics, GET /metrics (OPS-n in docs/spec/operations.md); `metrics.webhookDelivered(result)`. */
  readonly metrics: Metrics;
  readonly #http: http.Server;
  readonly #signaling: SignalingServer;
  readonly #upgrades: UpgradeRouter;
  readonly #mux: PortMux;
  readonly #iceRelay?: IceTcpRelay;
  readonly #turn: TurnService;
  /** The durable state: one database, SQLite under DATA_DIR or PostgreSQL (DATABASE_URL). */
  readonly database: Store;
  /** REACH-6: HTTPS on the HTTP port, when TLS_CERT and TLS_KEY are set. */
  readonly tls?: TlsEndpoint;
  #closing?: Promise<void>;

  private constructor(parts: {
    config: Config;
    log: Logger;
    store: RoomStore;
    moderation: ModerationStore;
    tokens: TokenService;
    pool: WorkerPool;
    registry: RoomRegistry;
    access: RoomAccess;
    webhooks: Webhooks;
    retention: RetentionService;
    collab: CollabServer;
    recording: RecordingService;
    adminKey: string;
    secretsFile?: string;
    faults: FaultLog;
    metrics: Metrics;
    http: http.Server;
    signaling: SignalingServer;
    upgrades: UpgradeRouter;
    mux: PortMux;
    iceRelay?: IceTcpRelay;
    turn: TurnService;
    database: Store;
    tls?: TlsEndpoint;
  }) {
    this.config = parts.config;
    this.log = parts.log;
    this.store = parts.store;
    this.moderation = parts.moderation;
    this.tokens = parts.tokens;
    this.pool = parts.pool;
    this.registry = parts.registry;
    this.access = parts.access;
    this.webhooks = parts.webhooks;
    this.retention = parts.retention;
    this.collab = parts.collab;
    this.recording = parts.recording;
    this.adminKey = parts.adminKey;
    this.secretsFile = parts.secretsFile;
    this.faults = parts.faults;
    this.metrics = parts.metrics;
    this.#http = parts.http;
    this.#signaling = parts.signaling;
    this.#upgrades = parts.upgrades;
    this.#mux = parts.mux;
    this.#iceRelay = parts.iceRelay;
    this.#turn = parts.turn;
    this.database = parts.database;
    this.tls = parts.tls;
  }

  static async start(
    config: Config,
    log: Logger = createLogger(config.logLevel),
    options: { recorderEnv?: Record<string, string> } = {},
  ): Promise<NomadesServer> {
    privateUmask(); // FILE-1: DATA_DIR, databases, secrets, recordings private to the service user
    const secrets = ensureSecrets(config.dataDir, config);
    const faults = new FaultLog(log);
    const metrics = new Metrics(); // no resources: nothing to close on the failure paths below
    const database = await Store.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    const { rooms: store, moderation } = database;
    const tokens = new TokenService(secrets.tokenSecret);
    // REACH-7: a host name in ANNOUNCED_IP is resolved once, here.
    config = { ...config, announcedIp: await resolveAnnouncedIp(config.announcedIp).catch(async (error) => {
      await database.close();
      throw error;
    }) };
    // REACH-1: media on the HTTP port; the port is known once listening.
    let listeningPort = config.port;
    const iceRelay = config.mediaOnHttpPort
      ? new IceTcpRelay({
          announcedIp: config.announcedIp ?? config.rtcListenIp,
          announcedPort: () => config.announcedPort ?? listeningPort,
          workerHost: config.rtcListenIp === '0.0.0.0' ? '127.0.0.1' : config.rtcListenIp === '::' ? '::1' : config.rtcListenIp,
          log,
        })
      : undefined;
    let pool: WorkerPool;
    try {
      pool = await WorkerPool.create({
        numWorkers: config.mediaWorkers,
        listenIp: config.rtcListenIp,
        announcedIp: config.announcedIp,
        basePort: config.rtcPort,
        rtcMinPort: config.rtcMinPort,
        rtcMaxPort: config.rtcMaxPort,
        workerBin: config.mediasoupWorkerBin,
        maxConsumersPerWorker: config.mediaWorkerMaxConsumers,
        sharedTcpPort: iceRelay,
      });
    } catch (error) {
      await database.close();
      throw error;
    }
    pool.on('workerdied', (index, error) => log.error({ worker: index, err: error }, 'mediasoup worker died'));
    pool.on('workerrestarted', (index, pid) => log.warn({ worker: index, pid }, 'mediasoup worker restarted'));
    pool.on('workergaveup', (index, retryInMs) => log.error({ worker: index, retryInMs }, 'mediasoup worker slot resting after repeated deaths (PLACE-4)'));
    workerMetrics(metrics, pool);
    const registry = new RoomRegistry(pool, store, log.child({ name: 'rooms' }), {
      resumeGraceMs: config.resumeGraceMs,
      moderation: { store: moderation, faults },
    });
    // Built once the recording service has its Redis connection (below); nothing emits before.
    let webhooks: Webhooks | undefined;
    roomMetrics(metrics, registry);
    const access = new RoomAccess({ registry, store, log });
    let turn: TurnService;
    try {
      turn = await TurnService.start(config, () => listeningPort, log);
    } catch (error) {
      pool.close();
      await database.close();
      throw error;
    }
    const httpServer = http.createServer(HTTP_SERVER_OPTIONS);
    hardenHttpServer(httpServer, log);
    let tlsEndpoint: TlsEndpoint | undefined;
    try {
      tlsEndpoint = config.tls ? new TlsEndpoint({ certFile: config.tls.certFile, keyFile: config.tls.keyFile, log, faults }) : undefined;
    } catch (error) {
      pool.close();
      await turn.close();
      await database.close();
      throw error;
    }
    const mux = new PortMux(httpServer, { ice: iceRelay, turnPort: () => turn.localPort, tls: tlsEndpoint, log });
    const recording = new RecordingService({
      config,
      adminKey: secrets.adminKey,
      recorderKey: secrets.recorderKey,
      registry,
      rooms: store,
      recordings: database.recordings,
      controlUrl: () => localUrl(httpServer, config.host),
      recorderEnv: options.recorderEnv,
      faults,
      webhooks: { emit: (type, data) => webhooks?.emit(type, data) },
      log,
    });
    webhooks = createWebhooks(config, recording.redis, log, (result) => metrics.webhookDelivered(result)); // OPS-4
    new RoomWebhooks(registry, webhooks);
    const collabConfig = loadCollabConfig();
    const collab = new CollabServer({
      tokens,
      rooms: store,
      log,
      documents: database.documents,
      maxDocumentBytes: collabConfig.maxDocumentBytes,
      faults,
      // One access rule for the meeting and the board (ACCESS-n): RoomAccess.
      admission: (roomId, claims, request) => access.board(roomId, { claims, address: clientAddress(request) }),
    });
    access.attach(collab); // removals, role changes and token expiry reach live board connections
    recordingMetrics(metrics, recording);
    metrics.gauge({ name: 'nomades_collab_connections', help: 'Whiteboard and chat WebSocket connections (/collab).', read: () => collab.connectionCount });
    const retention = new RetentionService({
      recordingDays: config.recordingRetentionDays,
      chatDays: config.chatRetentionDays,
      recordings: recording.store,
      deleteRecording: (r) => recording.deleteRecording(r, 'retention'),
      collab,
      faults,
      log,
    });
    let server: NomadesServer | undefined;
    const publicUrl = () => server?.url ?? '';
    const invites = new InviteService({ store: database.invites, tokens, publicUrl });
    const deletion = new RoomDeletion({
      rooms: store,
      deleteRows: (id) => database.deleteRoomRows(id),
      registry,
      collab,
      recordings: { listByRoom: (id) => recording.store.listByRoom(id), delete: (r) => recording.deleteRecording(r, 'room-deleted') },
      log: log.child({ name: 'rooms' }),
    });
    const app = createHttpApp({
      log: log.child({ name: 'http' }),
      accessLog: accessLog(log), // OPS-6
      metricsApi: metricsRouter({ metrics, keys: [secrets.adminKey, ...(config.metricsToken ? [config.metricsToken] : [])] }), // OPS-1
      store,
      tokens,
      adminKey: secrets.adminKey,
      guestAccess: config.guestAccess,
      clientDist: config.clientDist,
      defaultLocale: config.defaultLocale,
      redirectPlainHttp: config.tls?.redirectPlainHttp,
      publicUrl,
      recordingRetentionDays: config.recordingRetentionDays ?? null,
      chatRetentionDays: config.chatRetentionDays ?? null,
      deleteRoom: (id) => deletion.delete(id), // ROOM-7
      webhooksApi: webhooksRouter({ webhooks, adminKey: secrets.adminKey }),
      invitesApi: invitesRouter({ store, tokens, access, invites, adminKey: secrets.adminKey, publicUrl }),
      registry,
      recordingsApi: recording.apiRouter({ tokens, access }),
      recordingsInternal: recording.internalRouter(),
      collabApi: collabRouter({ collab, store, adminKey: secrets.adminKey, tldrawLicenseKey: collabConfig.tldrawLicenseKey }),
      health: () => ({
        status: faults.degraded ? 'degraded' : 'ok',
        workers: pool.workers.filter((w) => !w.worker.closed).length,
        rooms: registry.size,
        sessions: signaling.sessionCount,
        uptimeSeconds: Math.round(process.uptime()),
        faults: faults.summary(),
        recording: recording.health(), // REC-11: queue reachable, recorders listening
      }),
    });
    httpServer.on('request', app);
    const signaling = new SignalingServer(httpServer, { tokens, store, registry, access, log, iceServers: (peerId) => turn.iceServers(peerId), timings: metrics.joinTimings });
    metrics.gauge({ name: 'nomades_signaling_sessions', help: 'Signaling (socket.io) connections, joined or not.', read: () => signaling.sessionCount });
    // The one upgrade listener of ours: /collab here, socket.io's path left to engine.io's own.
    const upgrades = new UpgradeRouter(httpServer, { log, passThrough: [SOCKET_IO_PATH] });
    upgrades.route(COLLAB_PATH, (req, socket, head) => collab.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        listeningPort = (httpServer.address() as AddressInfo).port;
        resolve();
      });
    }).catch(async (error) => {
      access.close();
      await collab.close();
      await webhooks.close();
      await recording.close();
      pool.close();
      iceRelay?.close();
      tlsEndpoint?.close();
      await turn.close();
      await database.close();
      throw error;
    });
    server = new NomadesServer({
      config,
      log,
      store,
      moderation,
      tokens,
      pool,
      registry,
      access,
      webhooks,
      retention,
      collab,
      recording,
      adminKey: secrets.adminKey,
      secretsFile: secrets.file,
      faults,
      metrics,
      http: httpServer,
      signaling,
      upgrades,
      mux,
      iceRelay,
      turn,
      database,
      tls: tlsEndpoint,
    });
    recording.startRecorder(); // once listening: its control URL is known (REC-8)
    retention.start(); // RET-1/2: a sweep now, then every hour
    return server;
  }

  /** How connections of the shared port were handed out, and the ICE-TCP relay's counts (REACH-1/2). */
  get reachStats(): { mux: PortMuxStats; iceTcp?: IceTcpRelayStats } {
    return { mux: this.#mux.stats, iceTcp: this.#iceRelay?.stats };
  }

  /** Signaling connections refused or reset by the connection limits (SIG-11, SIG-12). */
  get signalingStats(): SignalingStats {
    return this.#signaling.stats;
  }

  /** The base URL clients use (PUBLIC_URL, or the listen address). */
  get url(): string {
    if (this.config.publicUrl) return this.config.publicUrl.replace(/\/$/, '');
    const { port } = this.#http.address() as AddressInfo;
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return `${this.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Stops accepting, ends every session, closes rooms, workers and the store. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#upgrades.close();
      // First: connections still sending their first bytes, or in a TLS handshake, are not the HTTP
      // server's yet, and every close below that waits for it (socket.io's does) would wait for them.
      this.#mux.close();
      this.tls?.close();
      // Recordings in progress are ended and composed while their recorders can still report (issue 11).
      await this.recording.finishSessions();
      await this.retention.close();
      // Before signaling: socket.io's close waits for the HTTP server, which waits for the /collab sockets.
      await this.collab.close();
      await this.#signaling.close();
      this.access.close();
      this.registry.close();
      // Before the recording service disconnects the Redis they share: the last events are queued.
      await this.webhooks.close();
      await this.recording.close();
      this.pool.close();
      await this.pool.exited(); // no worker process outlives the server
      this.#iceRelay?.close();
      this.#http.closeAllConnections();
      await new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.#upgrades.detach();
      this.#mux.detach();
      await this.#turn.close();
      await this.registry.flushed(); // the last moderation writes, before the database goes
      await this.database.close();
      this.metrics.close();
    })();
    return this.#closing;
  }
}
