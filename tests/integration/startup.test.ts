import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoomInfo } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { MainProcess, processesMentioning } from '../helpers/MainProcess.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * `npm start` itself (server/src/main.ts as a child process, README "Two commands"): what it
 * prints, the `welcome` room it creates when guest access is on, the generated secrets kept in
 * DATA_DIR/secrets.json with mode 0600, PUBLIC_URL in join links, and a clean SIGTERM (exit 0,
 * its redis-server and recorder gone).
 */
interface Ctx {
  dirs: string[];
  mains: MainProcess[];
}
const startup = suite<Ctx>('npm start', { dirs: [], mains: [] });

startup.after.each((ctx) => {
  for (const m of ctx.mains) m.kill();
  ctx.mains = [];
});
startup.after((ctx) => {
  for (const d of ctx.dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(ctx: Ctx): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-start-'));
  ctx.dirs.push(dir);
  return dir;
}

async function start(ctx: Ctx, dataDir: string, env: Record<string, string> = {}): Promise<MainProcess> {
  const main = await MainProcess.start(dataDir, env);
  ctx.mains.push(main);
  return main;
}

async function api(main: MainProcess, key: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${main.listenUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** SIGTERM: exit code 0, and nothing it started (redis-server, recorder) is left running. */
async function stopCleanly(main: MainProcess): Promise<void> {
  assert.equal(await main.stop(), { code: 0, signal: null }, `npm start exits 0 on SIGTERM\n${main.output}`);
  await waitFor('no process of this DATA_DIR left', () => processesMentioning(main.dataDir).length === 0, 5_000).catch(() => {
    throw new Error(`left running: ${JSON.stringify(processesMentioning(main.dataDir))}`);
  });
}

const readSecrets = (dataDir: string) => JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { adminKey: string; tokenSecret: string };

startup('a fresh start on loopback: secrets.json (0600) is printed, the welcome room exists and two guests meet in it; SIGTERM exits 0', async (ctx) => {
  const dataDir = tempDir(ctx);
  const main = await start(ctx, dataDir);
  const secretsFile = path.join(dataDir, 'secrets.json');
  assert.is(main.printedUrl, main.listenUrl, 'it prints its URL');
  assert.ok(main.output.includes(`admin key and token secret: ${secretsFile}`), `it prints where the secrets are:\n${main.output}`);
  assert.ok(main.output.includes(`open ${main.listenUrl}/room/welcome`), 'it says where to hold a meeting');
  assert.is(fs.statSync(secretsFile).mode & 0o777, 0o600, 'secrets.json is readable by its owner only');
  const secrets = readSecrets(dataDir);
  assert.ok(secrets.adminKey.length >= 16 && secrets.tokenSecret.length >= 32, 'generated secrets are long enough');
  assert.ok(fs.existsSync(path.join(dataDir, 'redis')), 'its own redis-server keeps the queue in DATA_DIR/redis');

  const welcome = await api(main, secrets.adminKey, 'GET', '/api/rooms/welcome');
  assert.is(welcome.status, 200, 'the generated admin key is the one in secrets.json');
  assert.equal({ ...welcome.json, createdAt: undefined }, { id: 'welcome', name: 'Welcome', mode: 'coffee', record: false, maxParticipants: 50, maxScreenShares: 1, recordingViewers: ['host'], participantsMayInvite: false, createdAt: undefined });
  const page = await fetch(`${main.listenUrl}/room/welcome`);
  assert.is(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', 'text/html');

  // "open /room/welcome in two tabs, type a name, join": two guest tokens, two joins, they see each other.
  const guest = async (name: string) => {
    const res = await fetch(`${main.listenUrl}/api/rooms/welcome/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    assert.is(res.status, 200, `guest token for ${name}`);
    const { token } = (await res.json()) as { token: string };
    const socket = await connectSocket(main.listenUrl, { token, roomId: 'welcome' });
    return { socket, joined: await request(socket, 'join', {}) };
  };
  const ada = await guest('Ada');
  const grace = await guest('Grace');
  try {
    assert.equal(grace.joined.peers.map((p) => p.displayName), ['Ada']);
    assert.is(grace.joined.role, 'participant');
  } finally {
    ada.socket.close();
    grace.socket.close();
  }
  await stopCleanly(main);
});

startup('a restart on the same DATA_DIR keeps the secrets and the welcome room (not created again)', async (ctx) => {
  const dataDir = tempDir(ctx);
  const first = await start(ctx, dataDir);
  const secrets = readSecrets(dataDir);
  const welcome = (await api(first, secrets.adminKey, 'GET', '/api/rooms/welcome')).json as RoomInfo;
  assert.is((await api(first, secrets.adminKey, 'PATCH', '/api/rooms/welcome', { name: 'Coffee corner' })).status, 200);
  await stopCleanly(first);

  const second = await start(ctx, dataDir);
  assert.equal(readSecrets(dataDir), secrets, 'the same admin key and token secret');
  assert.is(fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
  const again = await api(second, secrets.adminKey, 'GET', '/api/rooms/welcome');
  assert.equal(again.json, { ...welcome, name: 'Coffee corner' }, 'the same room, with its change: not recreated');
  await stopCleanly(second);
});

startup('guest access off: no welcome room; every secret from the environment: no secrets.json written', async (ctx) => {
  const dataDir = tempDir(ctx);
  const adminKey = 'a'.repeat(8) + '-admin-key-from-env';
  const main = await start(ctx, dataDir, { GUEST_ACCESS: 'off', ADMIN_KEY: adminKey, TOKEN_SECRET: 't'.repeat(40), RECORDER_KEY: 'r'.repeat(8) + '-recorder-key-from-env' });
  assert.ok(main.output.includes('guest access is off'), `it says guest access is off:\n${main.output}`);
  assert.ok(main.output.includes('admin key and token secret: from the environment'));
  assert.not.ok(fs.existsSync(path.join(dataDir, 'secrets.json')), 'nothing generated, nothing written');
  const welcome = await api(main, adminKey, 'GET', '/api/rooms/welcome');
  assert.equal([welcome.status, welcome.json.error?.code], [404, 'ROOM_NOT_FOUND']);
  assert.equal((await api(main, adminKey, 'GET', '/api/rooms')).json.rooms, [], 'no room at all');
  await stopCleanly(main);
});

startup('PUBLIC_URL is the base of every join link (admin tokens and guest tokens) and of the printed URL', async (ctx) => {
  const dataDir = tempDir(ctx);
  const main = await start(ctx, dataDir, { PUBLIC_URL: 'https://visio.example.org/' });
  assert.is(main.printedUrl, 'https://visio.example.org', 'the printed URL is PUBLIC_URL (without its trailing slash)');
  const { adminKey } = readSecrets(dataDir);
  const room = await api(main, adminKey, 'POST', '/api/rooms', { id: 'town-hall' });
  assert.is(room.status, 201);
  const minted = await api(main, adminKey, 'POST', '/api/rooms/town-hall/tokens', { name: 'Ada', role: 'host' });
  assert.is(minted.status, 200);
  assert.is(minted.json.joinUrl, `https://visio.example.org/room/town-hall?token=${encodeURIComponent(minted.json.token)}`);
  const guest = await fetch(`${main.listenUrl}/api/rooms/welcome/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Visitor' }) });
  const guestJson = (await guest.json()) as { token: string; joinUrl: string };
  assert.is(guestJson.joinUrl, `https://visio.example.org/room/welcome?token=${encodeURIComponent(guestJson.token)}`);
  // The link's token is a real one: it joins on the server behind PUBLIC_URL.
  const token = new URL(minted.json.joinUrl).searchParams.get('token')!;
  const socket = await connectSocket(main.listenUrl, { token, roomId: 'town-hall' });
  try {
    assert.is((await request(socket, 'join', {})).role, 'host');
  } finally {
    socket.close();
  }
  await stopCleanly(main);
});

exitAfterRun(startup);
