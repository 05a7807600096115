import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '@nomades/server';
import { ensureSecrets } from '../../server/src/config/ensureSecrets.js';
import { privateDir } from '../../server/src/config/privateDir.js';
import { recorderEnv } from '../../server/src/recording/recorderEnv.js';
import { Store } from '../../server/src/store/Store.js';
import { ControlUrls } from '../../recorder/src/ControlUrls.js';

/**
 * FILE-1 and REC-8 on their own, including an install from before them: a DATA_DIR, a database
 * and a secrets.json left readable by others, a secrets.json without a recorder key. The umask
 * is the usual 022 here, so the modes come from the code, not from the process.
 */
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-perm-'));
process.umask(0o022);

test('FILE-1: privateDir creates 0700 folders and takes group/other rights off an existing one', () => {
  const root = tmp();
  try {
    const fresh = privateDir(path.join(root, 'a', 'b'));
    assert.is(mode(fresh), 0o700);
    assert.is(mode(path.join(root, 'a')), 0o700, 'missing parents too');
    const old = path.join(root, 'old');
    fs.mkdirSync(old, { mode: 0o755 });
    privateDir(old);
    assert.is(mode(old), 0o700);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('FILE-1: the store makes nomades.db 0600 (new or left 0644), and its -wal and -shm follow', async () => {
  const root = tmp();
  try {
    const dir = path.join(root, 'data');
    const store = await Store.open({ dataDir: dir });
    await store.rooms.create({ id: 'r', name: 'r', maxParticipants: 2, mode: 'meeting', record: false });
    assert.is(mode(dir), 0o700);
    for (const f of ['nomades.db', 'nomades.db-wal', 'nomades.db-shm']) assert.is(mode(path.join(dir, f)), 0o600, f);
    await store.close();
    fs.chmodSync(path.join(dir, 'nomades.db'), 0o644);
    await (await Store.open({ dataDir: dir })).close();
    assert.is(mode(path.join(dir, 'nomades.db')), 0o600, 'an old 0644 file is fixed');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('REC-8: an old secrets.json (0644, no recorder key) gets a recorder key of its own and mode 0600', () => {
  const root = tmp();
  try {
    const file = path.join(root, 'secrets.json');
    fs.writeFileSync(file, JSON.stringify({ adminKey: 'old-admin-key-0123456789', tokenSecret: 's'.repeat(48) }), { mode: 0o644 });
    const secrets = ensureSecrets(root, {});
    assert.is(secrets.adminKey, 'old-admin-key-0123456789', 'the admin key is kept');
    assert.ok(secrets.recorderKey.length >= 16);
    assert.is.not(secrets.recorderKey, secrets.adminKey);
    assert.is(mode(file), 0o600);
    assert.is(JSON.parse(fs.readFileSync(file, 'utf8')).recorderKey, secrets.recorderKey, 'kept for the next start');
    assert.is(ensureSecrets(root, {}).recorderKey, secrets.recorderKey, 'read back');
    // A stored recorder key equal to the admin key (the old default) is replaced.
    fs.writeFileSync(file, JSON.stringify({ adminKey: 'same-key-0123456789ab', tokenSecret: 's'.repeat(48), recorderKey: 'same-key-0123456789ab' }));
    assert.is.not(ensureSecrets(root, {}).recorderKey, 'same-key-0123456789ab');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('REC-8: RECORDER_KEY equal to ADMIN_KEY is a configuration error', () => {
  const key = 'k'.repeat(20);
  assert.throws(() => loadConfig({ ADMIN_KEY: key, RECORDER_KEY: key }), (e: unknown) => e instanceof ConfigError && /RECORDER_KEY must differ/.test(String(e)));
  assert.is(loadConfig({ ADMIN_KEY: key, RECORDER_KEY: 'r'.repeat(20) }).recorderKey, 'r'.repeat(20));
});

test('REC-9: RECORDER_RTP_ALLOWED is a comma-separated list of addresses', () => {
  assert.equal(loadConfig({ RECORDER_RTP_ALLOWED: '10.0.0.5, 127.0.0.1' }).recorderRtpAllowed, ['10.0.0.5', '127.0.0.1']);
  assert.throws(() => loadConfig({ RECORDER_RTP_ALLOWED: 'recorder.local' }), (e: unknown) => e instanceof ConfigError);
});

test('REC-8: the recorder child environment keeps PATH and the recorder settings, and no secret', () => {
  const env = recorderEnv(
    { PATH: '/usr/bin', HOME: '/home/x', ADMIN_KEY: 'a', TOKEN_SECRET: 't', WEBHOOK_SECRET: 'w', RECORDER_KEY: 'parent', RECORDER_CONCURRENCY: '2', AWS_SECRET_ACCESS_KEY: 's' },
    { RECORDER_KEY: 'given', REDIS_URL: 'redis://:p@127.0.0.1:1' },
  );
  assert.equal(env, { PATH: '/usr/bin', HOME: '/home/x', RECORDER_CONCURRENCY: '2', RECORDER_KEY: 'given', REDIS_URL: 'redis://:p@127.0.0.1:1' });
});

test('REC-8: ControlUrls allows the configured server only (origin and path, trailing slash ignored)', () => {
  const urls = new ControlUrls(['http://127.0.0.1:3000', 'https://visio.example.org/base/']);
  for (const ok of ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/', 'https://visio.example.org/base', 'HTTPS://VISIO.example.org/base/']) assert.ok(urls.allows(ok), ok);
  for (const no of ['http://127.0.0.1:3001', 'http://localhost:3000', 'https://127.0.0.1:3000', 'http://user:pw@127.0.0.1:3000', 'https://visio.example.org/other', 'https://visio.example.org.evil/base', 'http://127.0.0.1:3000/?x=1', 'file:///etc/passwd', 'not a url']) {
    assert.not.ok(urls.allows(no), no);
  }
});

test.run();
