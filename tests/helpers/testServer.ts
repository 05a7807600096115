import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NomadesServer, createLogger, loadConfig, type Config } from '@nomades/server';

export interface TestServer {
  url: string;
  adminKey: string;
  server: NomadesServer;
  dataDir: string;
  /** POST /api/rooms with the admin key. */
  createRoom(body?: { id?: string; name?: string; maxParticipants?: number }): Promise<{ id: string }>;
  /** POST /api/rooms/:id/tokens with the admin key; returns the token. */
  mintToken(roomId: string, name: string, role?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a real server on 127.0.0.1, port 0, with a fresh DATA_DIR, one media worker and RTC
 * ports picked by the worker; close() stops it and removes the data.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-test-'));
  const config: Config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MEDIA_WORKERS: '1',
    RTC_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const server = await NomadesServer.start(config, createLogger(config.logLevel));
  const url = server.url;
  const adminHeaders = { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` };
  return {
    url,
    adminKey: server.adminKey,
    server,
    dataDir,
    async createRoom(body = {}) {
      const res = await fetch(`${url}/api/rooms`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`createRoom: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    },
    async mintToken(roomId, name, role) {
      const res = await fetch(`${url}/api/rooms/${roomId}/tokens`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify(role ? { name, role } : { name }),
      });
      if (res.status !== 200) throw new Error(`mintToken: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
