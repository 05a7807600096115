import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterNodes } from '@nomades/shared';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { MainProcess } from './MainProcess.js';
import { Postgres } from './Postgres.js';
import { sleep, waitFor } from './waitFor.js';

/** Variables of one node, given its index. */
export type NodeEnv = (i: number) => Record<string, string>;

const ADMIN_KEY = 'cluster-test-admin-key-0123456789';
const TOKEN_SECRET = 'cluster-test-token-secret-0123456789abcdef';

/**
 * Several nodes of the service for a test (docs/operations/several-nodes.md): a throw-away
 * PostgreSQL, a redis-server, and `npm start` processes (the real entry point, each with its own
 * DATA_DIR, port and mediasoup worker) sharing DATABASE_URL, REDIS_URL, TOKEN_SECRET and ADMIN_KEY.
 * A node is killed for real (SIGKILL to its process group: its workers die with it) or stopped
 * (SIGTERM), and started again on its port. close() stops everything, failures included.
 */
export class Cluster {
  readonly nodes: Array<MainProcess | undefined> = [];
  readonly #ports: number[] = [];
  readonly #dirs: string[] = [];
  readonly #env: Record<string, string>;
  readonly #nodeEnv: NodeEnv;

  private constructor(
    readonly pg: Postgres,
    public redis: LocalRedis,
    readonly root: string,
    databaseUrl: string,
    env: Record<string, string>,
    nodeEnv: NodeEnv,
  ) {
    this.#nodeEnv = nodeEnv;
    this.#env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ADMIN_KEY, TOKEN_SECRET, RECORDER: 'off', ...env };
  }

  /**
   * `env`: variables of every node, or a function of the cluster's folder (a folder all the nodes
   * share in it: RECORDINGS_DIR, say). `nodeEnv`: variables of node `i` alone (its NODE_URL
   * through a front, say), kept when it is started again.
   */
  static async start(count: number, env: Record<string, string> | ((root: string) => Record<string, string>) = {}, nodeEnv: NodeEnv = () => ({})): Promise<Cluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cluster-'));
    let pg: Postgres | undefined;
    let redis: LocalRedis | undefined;
    let cluster: Cluster | undefined;
    try {
      pg = await Postgres.start();
      redis = await LocalRedis.start({ dir: path.join(root, 'redis') });
      cluster = new Cluster(pg, redis, root, await pg.database(), typeof env === 'function' ? env(root) : env, nodeEnv);
      // One after the other: the first runs the migrations, the others find them done.
      for (let i = 0; i < count; i++) await cluster.startNode(i);
      return cluster;
    } catch (error) {
      if (cluster) await cluster.close();
      else {
        await redis?.close();
        pg?.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
      throw error;
    }
  }

  get adminKey(): string {
    return ADMIN_KEY;
  }

  /** The TOKEN_SECRET every node shares (the node link's key derives from it). */
  get tokenSecret(): string {
    return TOKEN_SECRET;
  }

  /** Starts node `i` (again, on the same port and DATA_DIR, after a kill or a stop). */
  async startNode(i: number, env: Record<string, string> = {}): Promise<MainProcess> {
    this.#dirs[i] ??= fs.mkdtempSync(path.join(this.root, `node${i}-`));
    for (let attempt = 1; ; attempt++) {
      try {
        const node = await MainProcess.start(this.#dirs[i], { ...this.#env, NODE_ID: `node${i}`, ...this.#nodeEnv(i), ...env }, undefined, this.#ports[i]);
        this.#ports[i] = node.port;
        this.nodes[i] = node;
        return node;
      } catch (error) {
        // A port just freed by a killed node may linger for a moment.
        if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
        await sleep(300);
      }
    }
  }

  /** The port node `i` listens on (kept across restarts). */
  port(i: number): number {
    return this.#ports[i];
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.#ports[i]}`;
  }

  /** Any node that is running. */
  live(): MainProcess {
    const node = this.nodes.find((n) => n !== undefined);
    if (!node) throw new Error('no node is running');
    return node;
  }

  /** SIGKILL (the whole process group: workers included); resolves once it has exited. */
  async kill(i: number): Promise<void> {
    const node = this.nodes[i];
    this.nodes[i] = undefined;
    node?.kill();
    await node?.exited;
  }

  /** SIGTERM: the node drains and stops; resolves with its exit. */
  async stop(i: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const node = this.nodes[i];
    this.nodes[i] = undefined;
    return node ? node.stop() : { code: 0, signal: null };
  }

  async admin(method: string, pathname: string, body?: unknown, node = this.live()): Promise<Response> {
    return fetch(`${node.listenUrl}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async createRoom(body: Record<string, unknown> = {}): Promise<{ id: string }> {
    const res = await this.admin('POST', '/api/rooms', body);
    if (res.status !== 201) throw new Error(`createRoom: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  }

  async mintToken(roomId: string, name: string, role?: string): Promise<string> {
    const res = await this.admin('POST', `/api/rooms/${roomId}/tokens`, role ? { name, role } : { name });
    if (res.status !== 200) throw new Error(`mintToken: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** GET /api/nodes from a live node. */
  async directory(): Promise<ClusterNodes> {
    const res = await this.admin('GET', '/api/nodes');
    if (res.status !== 200) throw new Error(`GET /api/nodes: ${res.status} ${await res.text()}`);
    return (await res.json()) as ClusterNodes;
  }

  /** The index of the node hosting `roomId` (waits until one does). */
  async hostOf(roomId: string, timeoutMs = 10_000): Promise<number> {
    const found = await waitFor(`a node hosting ${roomId}`, async () => {
      const { nodes } = await this.directory();
      const host = nodes.find((n) => n.rooms.includes(roomId));
      return host ? { index: Number(host.id.replace('node', '')) } : null; // an object: node0 is not "nothing"
    }, timeoutMs);
    return found.index;
  }

  /** Stops redis-server (its data gone: no persistence), waits `downMs`, starts a new one on its port. */
  async restartRedis(downMs: number): Promise<void> {
    const port = this.redis.port;
    await this.redis.close();
    await sleep(downMs);
    this.redis = await LocalRedis.start({ dir: path.join(this.root, 'redis'), port });
  }

  /** Stops every node (SIGKILL), Redis and PostgreSQL, and removes the folders. Idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map(async (_, i) => this.kill(i)));
    await this.redis.close().catch(() => undefined);
    this.pg.close();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
