import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRoomBodySchema, isRequestName, mintTokenBodySchema, requests, tokenClaimsSchema } from '@nomades/shared';

const fingerprint = { algorithm: 'sha-256', value: 'AB:CD' };

test('every request has a request and a response schema', () => {
  for (const [name, entry] of Object.entries(requests)) {
    assert.ok(entry.request, `${name} request`);
    assert.ok(entry.response, `${name} response`);
  }
});

test('isRequestName accepts known names only, not prototype keys', () => {
  assert.ok(isRequestName('join'));
  assert.ok(isRequestName('produce'));
  assert.not.ok(isRequestName('constructor'));
  assert.not.ok(isRequestName('__proto__'));
  assert.not.ok(isRequestName('hasOwnProperty'));
  assert.not.ok(isRequestName(42));
});

test('join takes an empty object and nothing else', () => {
  assert.ok(requests.join.request.safeParse({}).success);
  assert.not.ok(requests.join.request.safeParse({ extra: 1 }).success);
  assert.not.ok(requests.join.request.safeParse(null).success);
  assert.not.ok(requests.join.request.safeParse('join').success);
});

test('createTransport direction is send or recv', () => {
  assert.ok(requests.createTransport.request.safeParse({ direction: 'send' }).success);
  assert.not.ok(requests.createTransport.request.safeParse({ direction: 'both' }).success);
  assert.not.ok(requests.createTransport.request.safeParse({}).success);
});

test('connectTransport requires fingerprints', () => {
  const ok = requests.connectTransport.request.safeParse({ transportId: 't', dtlsParameters: { role: 'client', fingerprints: [fingerprint] } });
  assert.ok(ok.success);
  const none = requests.connectTransport.request.safeParse({ transportId: 't', dtlsParameters: { fingerprints: [] } });
  assert.not.ok(none.success);
  const wrongRole = requests.connectTransport.request.safeParse({ transportId: 't', dtlsParameters: { role: 'boss', fingerprints: [fingerprint] } });
  assert.not.ok(wrongRole.success);
});

test('produce validates kind, source and bounds the RTP parameters', () => {
  const codec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
  const base = { transportId: 't', kind: 'video', source: 'camera', rtpParameters: { codecs: [codec], encodings: [{ ssrc: 1 }] } };
  assert.ok(requests.produce.request.safeParse(base).success);
  assert.not.ok(requests.produce.request.safeParse({ ...base, kind: 'smell' }).success);
  assert.not.ok(requests.produce.request.safeParse({ ...base, source: 'hologram' }).success);
  assert.not.ok(requests.produce.request.safeParse({ ...base, rtpParameters: { codecs: [] } }).success);
  const many = { ...base, rtpParameters: { codecs: Array(17).fill(codec) } };
  assert.not.ok(requests.produce.request.safeParse(many).success, 'more than 16 codecs');
  const badPt = { ...base, rtpParameters: { codecs: [{ ...codec, payloadType: 300 }] } };
  assert.not.ok(requests.produce.request.safeParse(badPt).success, 'payload type > 127');
});

test('ids are bounded strings', () => {
  assert.not.ok(requests.consume.request.safeParse({ transportId: 'x'.repeat(65), producerId: 'p' }).success);
  assert.not.ok(requests.consume.request.safeParse({ transportId: 1, producerId: 'p' }).success);
});

test('token claims need a known role and a room id of safe characters', () => {
  const claims = { sub: 'u1', name: 'Ada', room: 'weekly-1', role: 'host', iat: 1, exp: 2 };
  assert.ok(tokenClaimsSchema.safeParse(claims).success);
  assert.not.ok(tokenClaimsSchema.safeParse({ ...claims, role: 'god' }).success);
  assert.not.ok(tokenClaimsSchema.safeParse({ ...claims, room: '../etc' }).success);
  assert.not.ok(tokenClaimsSchema.safeParse({ ...claims, name: '' }).success);
  assert.not.ok(tokenClaimsSchema.safeParse({ ...claims, name: 'x'.repeat(65) }).success);
});

test('HTTP bodies: room creation and token minting', () => {
  assert.ok(createRoomBodySchema.safeParse({}).success);
  assert.ok(createRoomBodySchema.safeParse({ name: 'Weekly', maxParticipants: 12 }).success);
  assert.not.ok(createRoomBodySchema.safeParse({ maxParticipants: 1 }).success);
  assert.not.ok(createRoomBodySchema.safeParse({ maxParticipants: 100000 }).success);
  assert.not.ok(createRoomBodySchema.safeParse({ surprise: true }).success);
  assert.ok(mintTokenBodySchema.safeParse({ name: 'Ada', role: 'attendee' }).success);
  assert.not.ok(mintTokenBodySchema.safeParse({ role: 'host' }).success);
});

test.run();
