import type { CreateRoomBody } from '@nomades/shared';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NomadesServer, createLogger, loadConfig, type Config } from '@nomades/server';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';

export interface TestServer {
  url: string;
  adminKey: string;
  server: NomadesServer;
  dataDir: string;
  /** POST /api/rooms with the admin key. */
  createRoom(body?: CreateRoomBody): Promise<{ id: string }>;
  /** POST /api/rooms/:id/tokens with the admin key; returns the token. */
  mintToken(roomId: string, name: string, role?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Reuse this DATA_DIR (e.g. to restart on the data of a stopped server); it is then kept by close(). */
  dataDir?: string;
  /** Keep the DATA_DIR when closing (to start another server on it); remove it yourself afterwards. */
  keepData?: boolean;
  /**
   * Recording on: a redis-server of its own for this server (random port, stopped by close())
   * and the recorder as a child process (`recorderEnv` adds to its environment).
   */
  recording?: { recorderEnv?: Record<string, string> };
}

/**
 * Starts a real server on 127.0.0.1, port 0, with a fresh DATA_DIR (or `options.dataDir`), one
 * media worker and RTC ports picked by the worker; close() stops it and removes the data, unless
 * the DATA_DIR was given or `keepData` is set.
 */
export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-test-'));
  const removeData = !options.dataDir && !options.keepData;
  let redis: LocalRedis | undefined;
  let server: NomadesServer | undefined;
  /** A start that fails leaves nothing: no server, no redis, and no DATA_DIR it created (keepData or not). */
  const undo = async () => {
    await server?.close();
    await redis?.close();
    if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (options.recording) redis = await LocalRedis.start({ dir: path.join(dataDir, 'redis') });
    const config: Config = loadConfig({
      ...(redis ? { REDIS_URL: redis.url } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MEDIA_WORKERS: '1',
      RTC_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...env,
    });
    server = await NomadesServer.start(config, createLogger(config.logLevel), {
      recorderEnv: options.recording?.recorderEnv,
    });
    if (options.recording && !(await server.recording.recorderReady(30_000))) {
      throw new Error('the recorder process did not connect to the queue within 30 s');
    }
  } catch (error) {
    await undo().catch(() => undefined);
    throw error;
  }
  return serverHandle(server, dataDir, async () => {
    await server!.close();
    await redis?.close();
    if (removeData) fs.rmSync(dataDir, { recursive: true, force: true });
  });
}

function serverHandle(server: NomadesServer, dataDir: string, stop: () => Promise<void>): TestServer {
  const url = server.url;
  // A TLS server with HTTPS_REDIRECT=0 also answers plain HTTP on its port: the admin calls go
  // there, so that the test's fetch needs no trust in its self-signed certificate.
  const adminUrl = server.tls && !server.config.tls?.redirectPlainHttp ? url.replace(/^https:/, 'http:') : url;
  let closing: Promise<void> | undefined;
  const adminHeaders = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
  return {
    url,
    adminKey: server.adminKey,
    server,
    dataDir,
    async createRoom(body = {}) {
      const res = await fetch(`${adminUrl}/api/rooms`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`createRoom: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    },
    async mintToken(roomId, name, role) {
      const res = await fetch(`${adminUrl}/api/rooms/${roomId}/tokens`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify(role ? { name, role } : { name }),
      });
      if (res.status !== 200) throw new Error(`mintToken: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    /** Idempotent: a second call (e.g. after a failed restart, from a cleanup path) awaits the first. */
    close() {
      closing ??= stop();
      return closing;
    },
  };
}
