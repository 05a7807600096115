import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '@nomades/server';
import { TokenBucket } from '../../server/src/signaling/TokenBucket.js';

test('defaults: loopback, port 3000, guest access on for loopback', () => {
  const c = loadConfig({});
  assert.is(c.port, 3000);
  assert.is(c.host, '127.0.0.1');
  assert.is(c.guestAccess, true);
  assert.ok(c.mediaWorkers >= 1);
  assert.is(c.rtcListenIp, '127.0.0.1');
});

test('guest access is off by default on a non-loopback address, on when configured', () => {
  assert.is(loadConfig({ HOST: '0.0.0.0' }).guestAccess, false);
  assert.is(loadConfig({ HOST: '0.0.0.0', GUEST_ACCESS: 'true' }).guestAccess, true);
  assert.is(loadConfig({ GUEST_ACCESS: 'off' }).guestAccess, false);
});

test('NOISE_SUPPRESSION (issue #24): on unless the operator says off', () => {
  assert.is(loadConfig({}).noiseSuppression, true);
  assert.is(loadConfig({ NOISE_SUPPRESSION: 'off' }).noiseSuppression, false);
  assert.is(loadConfig({ NOISE_SUPPRESSION: '1' }).noiseSuppression, true);
  assert.throws(() => loadConfig({ NOISE_SUPPRESSION: 'maybe' }), (e: unknown) => e instanceof ConfigError && /NOISE_SUPPRESSION/.test(e.message));
});

test('invalid values are reported together, by name', () => {
  try {
    loadConfig({ PORT: 'eighty', TOKEN_SECRET: 'short', GUEST_ACCESS: 'maybe' });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, ConfigError);
    const message = (error as Error).message;
    assert.match(message, 'PORT');
    assert.match(message, 'TOKEN_SECRET');
    assert.match(message, 'GUEST_ACCESS');
  }
});

test('DATABASE_URL (issue #21): unset is SQLite in DATA_DIR; a postgresql:// or postgres:// URL is kept; anything else is refused by name', () => {
  assert.is(loadConfig({}).databaseUrl, undefined);
  for (const url of ['postgresql://nomades:secret@db.example:5432/nomades', 'postgres://db/nomades?sslmode=require']) {
    assert.is(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  }
  for (const bad of ['mysql://db/nomades', 'sqlite:///data/nomades.db', 'not a url']) {
    try {
      loadConfig({ DATABASE_URL: bad });
      assert.unreachable(bad);
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match((error as Error).message, 'DATABASE_URL');
    }
  }
});

test('SPAN-2/5: NODE_MAX_PARTICIPANTS (no limit by default, a positive integer) and NODE_LINK_URL (an http(s) base URL)', () => {
  assert.is(loadConfig({}).node.maxParticipants, undefined);
  assert.is(loadConfig({ NODE_MAX_PARTICIPANTS: '120' }).node.maxParticipants, 120);
  assert.is(loadConfig({ NODE_LINK_URL: 'https://10.0.0.5:3000/' }).node.linkUrl, 'https://10.0.0.5:3000');
  for (const [name, bad] of [['NODE_MAX_PARTICIPANTS', '0'], ['NODE_MAX_PARTICIPANTS', '-3'], ['NODE_MAX_PARTICIPANTS', '2.5'], ['NODE_MAX_PARTICIPANTS', 'lots'], ['NODE_LINK_URL', 'ws://10.0.0.5'], ['NODE_LINK_URL', 'http://10.0.0.5/?x=1']]) {
    try {
      loadConfig({ [name]: bad });
      assert.unreachable(`${name}=${bad}`);
    } catch (error) {
      assert.instance(error, ConfigError, `${name}=${bad}`);
      assert.match((error as Error).message, name);
    }
  }
});

test('token bucket: burst, then the sustained rate', () => {
  const bucket = new TokenBucket(10, 3, 0);
  assert.ok(bucket.take(0));
  assert.ok(bucket.take(0));
  assert.ok(bucket.take(0));
  assert.not.ok(bucket.take(0), 'burst exhausted');
  assert.not.ok(bucket.take(50), 'half a token after 50 ms');
  assert.ok(bucket.take(100), 'one token after 100 ms at 10/s');
  assert.not.ok(bucket.take(100));
});

test.run();
