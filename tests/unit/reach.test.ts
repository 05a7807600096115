import crypto from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveAnnouncedIp } from '../../server/src/reach/resolveAnnouncedIp.js';
import { classifyFirstByte, isTurnStart, parseFirstFrame } from '../../server/src/reach/stunFrame.js';
import { TurnCredentials } from '../../server/src/reach/TurnCredentials.js';

/** Pure parts of reachability (docs/spec/reachability.md); the sockets are in integration/portMux. */

test('REACH-4: TURN credentials follow coturn\'s use-auth-secret scheme (expiry:label, base64 HMAC-SHA1)', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const c = new TurnCredentials({ urls: ['turn:turn.example:443?transport=tcp'], secret: 'north-pole-secret-0123456789', ttlSeconds: 3600, now: () => now });
  const issued = c.issue('peer_1-x');
  assert.is(issued.username, `${now / 1000 + 3600}:peer_1-x`);
  // The value coturn computes for that username and secret (RFC 2104 HMAC-SHA1, base64).
  assert.is(issued.credential, crypto.createHmac('sha1', 'north-pole-secret-0123456789').update(issued.username).digest('base64'));
  assert.equal(issued.urls, ['turn:turn.example:443?transport=tcp']);
  // A label is reduced to safe characters, so it cannot add a colon or spaces to the username.
  assert.match(c.issue('a:b c/d').username, /^\d+:abcd$/);
});

test('REACH-1: the first byte tells TLS and HTTP apart; the rest is judged on more bytes', () => {
  assert.is(classifyFirstByte(0x16), 'tls');
  for (const ch of 'GPHODCT') assert.is(classifyFirstByte(ch.charCodeAt(0)), 'http', ch);
  for (const b of [0x00, 0x01, 0x61, 0x7f, 0xff]) assert.is(classifyFirstByte(b), 'other', String(b));
});

test('REACH-5: a raw STUN allocate or binding request (cookie at offset 4) is TURN; an RFC 4571 frame is not', () => {
  const header = (type: number) => {
    const b = Buffer.alloc(20);
    b.writeUInt16BE(type, 0);
    b.writeUInt32BE(0x2112a442, 4);
    return b;
  };
  assert.ok(isTurnStart(header(0x0003)));
  assert.ok(isTurnStart(header(0x0001)));
  assert.not.ok(isTurnStart(header(0x0101)), 'a response is not a start');
  assert.not.ok(isTurnStart(header(0x0003).subarray(0, 7)), 'too short to tell');
  const framed = Buffer.concat([Buffer.from([0x00, 0x14]), header(0x0001)]);
  assert.not.ok(isTurnStart(framed), 'ICE-TCP framing');
  assert.is(parseFirstFrame(header(0x0003)).kind, 'invalid', 'and a raw STUN message is no ICE-TCP frame');
});

test('REACH-7: ANNOUNCED_IP may be a host name (resolved), an address stays, a name that does not resolve is an error', async () => {
  assert.is(await resolveAnnouncedIp('192.0.2.7'), '192.0.2.7');
  assert.is(await resolveAnnouncedIp(undefined), undefined);
  assert.is(await resolveAnnouncedIp('localhost'), '127.0.0.1');
  await resolveAnnouncedIp('no-such-host.invalid').then(
    () => assert.unreachable('resolved a name under .invalid'),
    (e: Error) => assert.match(e.message, /ANNOUNCED_IP no-such-host\.invalid does not resolve/),
  );
});

test.run();
