import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkerPool } from '@nomades/sfu';
import { AppError, COLLAB_PATH, NODE_LINK_PATH } from '@nomades/shared';
import { clientAddress } from './access/clientAddress.js';
import { RoomAccess } from './access/RoomAccess.js';
import { agentRoomsApi } from './auth/agentRoomsApi.js';
import { AgentSessions } from './auth/AgentSessions.js';
import { secureCookies, signInRoutes } from './auth/signInParts.js';
import { TokenService } from './auth/TokenService.js';
import type { Config } from './config/Config.js';
import { ensureSecrets } from './config/ensureSecrets.js';
import { privateUmask } from './config/privateDir.js';
import { CollabServer } from './collab/CollabServer.js';
import { loadCollabConfig } from './collab/collabConfig.js';
import { collabRouter } from './collab/collabRouter.js';
import { createHttpApp } from './http/createHttpApp.js';
import { InviteService } from './invites/InviteService.js';
import { Lifecycle } from './lifecycle/Lifecycle.js';
import { ClusterNode } from './cluster/ClusterNode.js';
import { NodeLinks } from './cluster/NodeLinks.js';
import { AnnexSpread } from './span/AnnexSpread.js';
import { ShardHost } from './span/ShardHost.js';
import { ONE_NODE } from './cluster/RoomPlacement.js';
import { forwardedPrefix } from './cluster/forwardedPrefix.js';
import { nodesRouter } from './cluster/nodesRouter.js';
import { invitesRouter } from './invites/invitesRouter.js';
import { hardenHttpServer, HTTP_SERVER_OPTIONS } from './http/hardenHttpServer.js';
import { UpgradeRouter } from './http/UpgradeRouter.js';
import { FaultLog } from './health/FaultLog.js';
import { createLogger, type Logger } from './logging/logger.js';
import { accessLog } from './logging/accessLog.js';
import { Metrics } from './metrics/Metrics.js';
import { metricsRouter } from './metrics/metricsRouter.js';
import { clusterMetrics } from './metrics/clusterMetrics.js';
import { recordingMetrics } from './metrics/recordingMetrics.js';
import { pipeMetrics } from './metrics/pipeMetrics.js';
import { roomMetrics } from './metrics/roomMetrics.js';
import { workerMetrics } from './metrics/workerMetrics.js';
import { IceTcpRelay, type IceTcpRelayStats } from './reach/IceTcpRelay.js';
import { resolveAnnouncedIp } from './reach/resolveAnnouncedIp.js';
import { PortMux, type PortMuxStats } from './reach/PortMux.js';
import { TlsEndpoint } from './reach/TlsEndpoint.js';
import { TurnService } from './reach/TurnService.js';
import { PollStorage } from './polls/PollStorage.js';
import { pollsRouter } from './polls/pollsRouter.js';
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

/** The parts of a node that tests, the CLI and `main.ts` reach. */
export interface NodeParts {
  config: Config;
  log: Logger;
  store: RoomStore;
  /** Bans, lock, lobby, media locks, roles given by hosts, removed guests' addresses (MOD-10). */
  moderation: ModerationStore;
  tokens: TokenService;
  pool: WorkerPool;
  registry: RoomRegistry;
  /** Who may join a room, and with which role: the meeting and the board ask it (ACCESS-n). */
  access: RoomAccess;
  /** Signed, retried events to WEBHOOK_URL (in the BullMQ queue when Redis is there): `webhooks.emit('recording.ready', …)`. */
  webhooks: Webhooks;
  /** RET-1/2: recordings and chat messages deleted when older than their retention. */
  retention: RetentionService;
  /** Whiteboard and chat (Hocuspocus on /collab). */
  collab: CollabServer;
  /** Recordings of flagged rooms: store, queue, trigger, recorder process (recorder/README.md). */
  recording: RecordingService;
  adminKey: string;
  secretsFile?: string;
  /** Background failures, by source (reflected in /healthz). */
  faults: FaultLog;
  /** Prometheus metrics, GET /metrics (OPS-n in docs/spec/operations.md); `metrics.webhookDelivered(result)`. */
  metrics: Metrics;
  /** The durable state: one database, SQLite under DATA_DIR or PostgreSQL (DATABASE_URL). */
  database: Store;
  /** REACH-6: HTTPS on the HTTP port, when TLS_CERT and TLS_KEY are set. */
  tls?: TlsEndpoint;
  /** AUTH-8: the signed-in agents' sessions: `agents.current(req)`, `agents.on('ended', …)`, `agents.endByEmail(email)`. */
  agents: AgentSessions;
  /** SPAN-2/4: several nodes only: the authenticated links with the other nodes (`nodeLinks.channel(roomId, nodeId)`, `onRoomChannel`). */
  nodeLinks?: NodeLinks;
}

/** What only the node itself holds. */
interface InnerParts {
  http: http.Server;
  signaling: SignalingServer;
  mux: PortMux;
  iceRelay?: IceTcpRelay;
}

/**
 * The composition root: builds every part from the configuration, in order, on one undo stack
 * (`Lifecycle`): a start that fails stops what it started, and `close()` stops everything in
 * reverse. `NomadesServer.start(config)` is what `npm start` and the tests call. The order of the
 * list is the shutdown order reversed; where a part built early must stop early, a stop step is
 * pushed later with `life.onStop` (its own stop, pushed when it was built, is then a no-op).
 */
export class NomadesServer implements NodeParts {
  readonly config!: Config;
  readonly log!: Logger;
  readonly store!: RoomStore;
  readonly moderation!: ModerationStore;
  readonly tokens!: TokenService;
  readonly pool!: WorkerPool;
  readonly registry!: RoomRegistry;
  readonly access!: RoomAccess;
  readonly webhooks!: Webhooks;
  readonly retention!: RetentionService;
  readonly collab!: CollabServer;
  readonly recording!: RecordingService;
  readonly adminKey!: string;
  readonly secretsFile?: string;
  readonly faults!: FaultLog;
  readonly metrics!: Metrics;
  readonly tls?: TlsEndpoint;
  readonly database!: Store;
  readonly agents!: AgentSessions;
  readonly nodeLinks?: NodeLinks;
  readonly #inner: InnerParts;
  readonly #life: Lifecycle;

  private constructor(parts: NodeParts, inner: InnerParts, life: Lifecycle) {
    Object.assign(this, parts);
    this.#inner = inner;
    this.#life = life;
  }

  static async start(
    config: Config,
    log: Logger = createLogger(config.logLevel),
    options: {
      recorderEnv?: Record<string, string>;
    } = {},
  ): Promise<NomadesServer> {
    privateUmask(); // FILE-1: DATA_DIR, databases, secrets, recordings private to the service user
    const life = new Lifecycle(log);
    return life.build(async () => {
      const secrets = ensureSecrets(config.dataDir, config);
      const faults = new FaultLog(log);
      const metrics = await life.start('metrics', () => new Metrics(), (m) => m.close());
      // Stores first, closed last.
      const database = await life.start('database', () => Store.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }), (d) => d.close());
      const { rooms: store, moderation } = database;
      const tokens = new TokenService(secrets.tokenSecret);
      // AUTH-8: sessions live in the store; their sweeper stops before it closes.
      const agents = await life.start('agent sessions', () => new AgentSessions({
        store: database.auth, auth: config.auth, secure: secureCookies(config), log: log.child({ name: 'auth' }),
      }), (a) => a.close());
      // REACH-7: a host name in ANNOUNCED_IP is resolved once, here.
      config = { ...config, announcedIp: await resolveAnnouncedIp(config.announcedIp) };
      // REACH-1: media on the HTTP port; the port is known once listening.
      let listeningPort = config.port;
      const turn = await life.start('turn', () => TurnService.start(config, () => listeningPort, log), (t) => t.close());
      // Its close is pushed once the mux and upgrade router are: they detach after it closes.
      const httpServer = http.createServer(HTTP_SERVER_OPTIONS);
      hardenHttpServer(httpServer, log);
      const tls = config.tls
        ? await life.start('tls', () => new TlsEndpoint({ certFile: config.tls!.certFile, keyFile: config.tls!.keyFile, log, faults }), (t) => t.close())
        : undefined;
      const iceRelay = config.mediaOnHttpPort
        ? await life.start('ice-tcp relay', () => new IceTcpRelay({
            announcedIp: config.announcedIp ?? config.rtcListenIp,
            announcedPort: () => config.announcedPort ?? listeningPort,
            workerHost: config.rtcListenIp === '0.0.0.0' ? '127.0.0.1' : config.rtcListenIp === '::' ? '::1' : config.rtcListenIp,
            log,
          }), (r) => r.close())
        : undefined;
      const mux = await life.start('port mux', () => new PortMux(httpServer, { ice: iceRelay, turnPort: () => turn.localPort, tls, log }), (m) => m.detach());
      // SPAN-2: with several nodes, engine.io also serves the node link's upgrades (NodeLinks below).
      const linkPaths = config.databaseUrl && config.redisUrl ? [`${NODE_LINK_PATH}/`] : [];
      const upgrades = await life.start('upgrade router', () => new UpgradeRouter(httpServer, { log, passThrough: [SOCKET_IO_PATH, ...linkPaths] }), (u) => u.detach());
      life.onStop('http server', async () => {
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      });
      const pool = await life.start('media workers', () => WorkerPool.create({
        numWorkers: config.mediaWorkers,
        listenIp: config.rtcListenIp,
        announcedIp: config.announcedIp,
        basePort: config.rtcPort,
        rtcMinPort: config.rtcMinPort,
        rtcMaxPort: config.rtcMaxPort,
        workerBin: config.mediasoupWorkerBin,
        maxConsumersPerWorker: config.mediaWorkerMaxConsumers,
        sharedTcpPort: iceRelay,
      }), async (p) => {
        p.close();
        await p.exited(); // no worker process outlives the server
      });
      pool.on('workerdied', (index, error) => log.error({ worker: index, err: error }, 'mediasoup worker died'));
      pool.on('workerrestarted', (index, pid) => log.warn({ worker: index, pid }, 'mediasoup worker restarted'));
      pool.on('workergaveup', (index, retryInMs) => log.error({ worker: index, retryInMs }, 'mediasoup worker slot resting after repeated deaths (PLACE-4)'));
      workerMetrics(metrics, pool);
      const pollStorage = new PollStorage(database.polls, faults);
      const registry = new RoomRegistry(pool, store, log.child({ name: 'rooms' }), {
        resumeGraceMs: config.resumeGraceMs,
        moderation: { store: moderation, faults },
        polls: pollStorage, // POLL-9
        sharedStore: Boolean(config.databaseUrl && config.redisUrl), // NODE-2
        pipesTrusted: config.node.pipeTrusted, // SPAN-3
      });
      roomMetrics(metrics, registry);
      life.onStop('last moderation writes', () => registry.flushed()); // before the database closes
      const access = new RoomAccess({ registry, store, log });
      // NODE-1: several nodes share one PostgreSQL; the node directory in Redis says where each room runs.
      let signaling: SignalingServer | undefined;
      /** AUTH-11/12: ends what these sessions opened on this node (rooms and signaling only see `sid`s). */
      const endSessionsHere = (sids: readonly string[]) => {
        access.endSessions(sids); // their tokens refused, their board connections closed
        signaling?.endSessions(new Set(sids)); // their meetings and lobbies end
      };
      // SPAN-2/4: several nodes only, started after signaling (below); the cluster's load counts the shards.
      let nodeLinks: NodeLinks | undefined;
      let shards: ShardHost | undefined;
      const cluster = await ClusterNode.start(life, config, log, {
        registry,
        sessions: () => signaling?.sessionCount ?? 0,
        participants: () => registry.participantCount + (shards?.participants ?? 0), // SPAN-5: media hosted here
        endRoom: (roomId, error) => signaling?.endRoom(roomId, error),
        endSessions: endSessionsHere,
        faults,
      });
      const placement = cluster?.placement ?? ONE_NODE;
      // SPAN-5: beyond NODE_MAX_PARTICIPANTS, a room's newcomers get their media on its annex (links below).
      if (cluster) registry.useSpread(new AnnexSpread(cluster, () => nodeLinks, log));
      if (cluster) clusterMetrics(metrics, cluster);
      // SPAN-3: what crosses to the other nodes, from the rooms homed here and the shards served here.
      if (cluster) pipeMetrics(metrics, () => [...registry.annexPipes(), ...(shards?.pipes ?? [])]);
      // Built once the recording service has its Redis connection (below); nothing emits before.
      let webhooks: Webhooks | undefined;
      const recording = await life.start('recording', () => new RecordingService({
        config,
        adminKey: secrets.adminKey,
        recorderKey: secrets.recorderKey,
        registry,
        rooms: store,
        recordings: database.recordings,
        nodeId: cluster?.directory.id,
        // NODE-REC-2: one survey (the room reopened here because its home is absent from it).
        goneNodes: cluster ? (ids) => cluster.goneNodes(ids, 0) : undefined,
        controlUrl: () => localUrl(httpServer, config.host),
        recorderEnv: options.recorderEnv,
        faults,
        webhooks: { emit: (type, data) => webhooks?.emit(type, data) },
        log,
      }), (r) => r.close());
      recordingMetrics(metrics, recording);
      // NODE-REC-1: a dead node's unfinished recordings are composed by a survivor.
      cluster?.onNodeDown((dead) => recording.adoptFrom(dead));
      // Before the recording service disconnects the Redis they share: the last events are queued.
      webhooks = await life.start('webhooks', () => createWebhooks(config, recording.redis, log, (result) => metrics.webhookDelivered(result)), (w) => w.close()); // OPS-4
      new RoomWebhooks(registry, webhooks);
      // Rooms close after signaling and the board (their last events reach the webhooks above).
      life.onStop('rooms', () => registry.close());
      life.onStop('access', () => access.close());
      const collabConfig = loadCollabConfig();
      const collab = await life.start('board and chat', () => new CollabServer({
        tokens,
        rooms: store,
        log,
        documents: database.documents,
        maxDocumentBytes: collabConfig.maxDocumentBytes,
        faults,
        // One access rule for the meeting and the board (ACCESS-n): RoomAccess.
        admission: async (roomId, claims, request) => {
          // NODE-2: one node serves a room's board at a time, the one that hosts its meeting.
          const where = await placement.place(roomId, forwardedPrefix(request));
          if (!where.here) throw new AppError('WRONG_NODE', 'the room runs on another node', { node: where.node });
          return access.board(roomId, { claims, address: clientAddress(request) });
        },
      }), (c) => c.close());
      access.attach(collab); // removals, role changes and token expiry reach live board connections
      metrics.gauge({ name: 'nomades_collab_connections', help: 'Whiteboard and chat WebSocket connections (/collab).', read: () => collab.connectionCount });
      let node: NomadesServer | undefined;
      const publicUrl = () => node?.url ?? '';
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
        noiseSuppression: config.noiseSuppression,
        backgroundEffects: config.backgroundEffects,
        redirectPlainHttp: config.tls?.redirectPlainHttp,
        publicUrl,
        recordingRetentionDays: config.recordingRetentionDays ?? null,
        chatRetentionDays: config.chatRetentionDays ?? null,
        deleteRoom: (id) => deletion.delete(id), // ROOM-7
        webhooksApi: webhooksRouter({ webhooks, adminKey: secrets.adminKey }),
        nodesApi: nodesRouter({ directory: cluster?.directory, links: () => nodeLinks, adminKey: secrets.adminKey }), // NODE-6
        forward: cluster?.forwarder(), // NODE-4
        otherOrigins: cluster ? () => cluster.placement.otherOrigins() : undefined, // NODE-3
        members: database.members, // OWN-5, OWN-8
        agentRoomsApi: agentRoomsApi({ ...config, sessions: agents, store, members: database.members, tokens, registry, adminKey: secrets.adminKey, publicUrl }),
        invitesApi: invitesRouter({ store, tokens, access, invites, adminKey: secrets.adminKey, publicUrl }),
        registry,
        recordingsApi: recording.apiRouter({ tokens, access }),
        pollsApi: pollsRouter({ storage: pollStorage, store, adminKey: secrets.adminKey, tokens, access }), // POLL-10
        recordingsInternal: recording.internalRouter(),
        signIn: signInRoutes({ config, store: database.auth, sessions: agents, adminKey: secrets.adminKey, publicUrl, log: log.child({ name: 'auth' }), onLogin: (outcome) => metrics.loginCounted(outcome) }),
        collabApi: collabRouter({ collab, store, adminKey: secrets.adminKey, tldrawLicenseKey: collabConfig.tldrawLicenseKey }),
        health: () => ({
          status: faults.degraded ? 'degraded' : 'ok',
          workers: pool.workers.filter((w) => !w.worker.closed).length,
          rooms: registry.size + (cluster?.directory.annexRooms().length ?? 0), // SPAN-6: and the rooms whose media it hosts as an annex
          sessions: signaling?.sessionCount ?? 0,
          uptimeSeconds: Math.round(process.uptime()),
          faults: faults.summary(),
          recording: recording.health(), // REC-11: queue reachable, recorders listening
          ...(cluster ? { node: cluster.health() } : {}), // NODE-6
        }),
      });
      // The app before socket.io: engine.io wraps the request listeners it finds, passing on what is not its path.
      httpServer.on('request', app);
      signaling = await life.start('signaling', () => new SignalingServer(httpServer, {
        tokens, store, registry, access, log, placement, iceServers: (peerId) => turn.iceServers(peerId), timings: metrics.joinTimings,
      }), (s) => s.close());
      // SPAN-2/4: the authenticated link with the other nodes, on this port's /node-link (after the app, like socket.io).
      nodeLinks = cluster
        ? await life.start('node links', () => NodeLinks.start({ server: httpServer, directory: cluster.directory, tokenSecret: secrets.tokenSecret, log }), (l) => l.close())
        : undefined;
      // SPAN-2: this node as the annex of rooms homed elsewhere (their media shards).
      if (cluster && nodeLinks) {
        const links = nodeLinks;
        shards = await life.start('media shards', async () => new ShardHost({ pool, cluster, links, trusted: config.node.pipeTrusted, log }), (h) => h.close());
      }
      // AUTH-11/12: sessions ended (logout per LOGOUT_ENDS_MEETINGS, an operator): what their tokens opened ends, here and on the other nodes.
      const onEnded = (sids: readonly string[]) => {
        endSessionsHere(sids);
        cluster?.publishEndedSessions(sids);
      };
      agents.on('ended', onEnded);
      life.onStop('ended sessions', () => agents.off('ended', onEnded));
      metrics.gauge({ name: 'nomades_signaling_sessions', help: 'Signaling (socket.io) connections, joined or not.', read: () => signaling.sessionCount });
      // Before signaling: socket.io's close waits for the HTTP server, which waits for the /collab sockets.
      life.onStop('board and chat connections', () => collab.close());
      // Before the board: a sweep in progress deletes chat messages through it (RET-2).
      const retention = await life.start('retention', () => new RetentionService({
        recordingDays: config.recordingRetentionDays,
        chatDays: config.chatRetentionDays,
        recordings: recording.store,
        deleteRecording: (r) => recording.deleteRecording(r, 'retention'),
        collab,
        faults,
        scope: cluster?.retentionScope(), // NODE-9
        log,
      }), (r) => r.close());
      // The one upgrade listener of ours: /collab here, socket.io's path left to engine.io's own.
      upgrades.route(COLLAB_PATH, (req, socket, head) => collab.handleUpgrade(req, socket, head));
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          listeningPort = (httpServer.address() as AddressInfo).port;
          resolve();
        });
      });
      // Recordings in progress are ended and composed while their recorders can still report (issue 11).
      life.onStop('recordings in progress', () => recording.finishSessions());
      // NODE-7: a node stopped (SIGTERM) takes no new room and gives its rooms up before its
      // meetings end: their participants find them again on the other nodes.
      if (cluster) life.onStop('drain', () => cluster.drain());
      // First at shutdown: connections still sending their first bytes, or in a TLS handshake, are
      // not the HTTP server's yet, and every close after this that waits for it (socket.io's does)
      // would wait for them.
      life.onStop('stop accepting', () => {
        upgrades.close();
        mux.close();
        tls?.close();
      });
      node = new NomadesServer(
        { config, log, database, store, moderation, tokens, pool, registry, access, webhooks, retention, collab, recording, adminKey: secrets.adminKey, secretsFile: secrets.file, faults, metrics, tls, agents, nodeLinks },
        { http: httpServer, signaling, mux, iceRelay },
        life,
      );
      recording.startRecorder(); // once listening: its control URL is known (REC-8)
      // NODE-REC-1: recordings left by nodes whose death no live node saw (all down at once).
      if (cluster) void recording.adoptOrphans((ids) => cluster.goneNodes(ids));
      retention.start(); // RET-1/2: a sweep now, then every hour
      agents.start(); // AUTH-8: expired logins and sessions swept now, then every few minutes
      return node;
    });
  }

  /** How connections of the shared port were handed out, and the ICE-TCP relay's counts (REACH-1/2). */
  get reachStats(): { mux: PortMuxStats; iceTcp?: IceTcpRelayStats } {
    return { mux: this.#inner.mux.stats, iceTcp: this.#inner.iceRelay?.stats };
  }

  /** Signaling connections refused or reset by the connection limits (SIG-11, SIG-12). */
  get signalingStats(): SignalingStats {
    return this.#inner.signaling.stats;
  }

  /** The parts this node started, in start order (its shutdown runs them in reverse). */
  get parts(): string[] {
    return this.#life.names;
  }

  /** The base URL clients use (PUBLIC_URL, or the listen address). */
  get url(): string {
    if (this.config.publicUrl) return this.config.publicUrl.replace(/\/$/, '');
    const { port } = this.#inner.http.address() as AddressInfo;
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return `${this.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Stops accepting, ends every session, closes rooms, workers and the stores: the parts in reverse. Idempotent. */
  close(): Promise<void> {
    return this.#life.stop();
  }
}
