import { SignJWT } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '@nomades/shared';
import { TokenService } from '@nomades/server';

const SECRET = 'a'.repeat(48);
const tokens = new TokenService(SECRET);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
}

test('a minted token verifies for its room and carries the claims', async () => {
  const { token } = await tokens.mint({ roomId: 'r1', name: 'Ada', role: 'host', identity: 'ada' });
  const claims = await tokens.verify(token, 'r1');
  assert.is(claims.room, 'r1');
  assert.is(claims.name, 'Ada');
  assert.is(claims.role, 'host');
  assert.is(claims.sub, 'ada');
  assert.ok(claims.exp > claims.iat);
});

test('wrong room is refused with TOKEN_WRONG_ROOM', async () => {
  const { token } = await tokens.mint({ roomId: 'r1', name: 'Ada', role: 'participant' });
  assert.is(await codeOf(tokens.verify(token, 'r2')), 'TOKEN_WRONG_ROOM');
});

test('a token signed with another secret is refused with TOKEN_INVALID', async () => {
  const other = new TokenService('b'.repeat(48));
  const { token } = await other.mint({ roomId: 'r1', name: 'Eve', role: 'host' });
  assert.is(await codeOf(tokens.verify(token, 'r1')), 'TOKEN_INVALID');
});

test('a tampered payload is refused', async () => {
  const { token } = await tokens.mint({ roomId: 'r1', name: 'Eve', role: 'attendee' });
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  payload.role = 'host';
  const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
  assert.is(await codeOf(tokens.verify(forged, 'r1')), 'TOKEN_INVALID');
});

test('alg "none" is refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ sub: 'x', name: 'X', room: 'r1', role: 'host', iat: now, exp: now + 60, iss: 'nomades-visio' })).toString('base64url');
  assert.is(await codeOf(tokens.verify(`${header}.${body}.`, 'r1')), 'TOKEN_INVALID');
});

test('an expired token is refused with TOKEN_EXPIRED', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ sub: 'u', name: 'Old', room: 'r1', role: 'participant' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('nomades-visio')
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .sign(new TextEncoder().encode(SECRET));
  assert.is(await codeOf(tokens.verify(expired, 'r1')), 'TOKEN_EXPIRED');
});

test('a correctly signed token without the required claims is refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const partial = await new SignJWT({ sub: 'u', room: 'r1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('nomades-visio')
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(SECRET));
  assert.is(await codeOf(tokens.verify(partial, 'r1')), 'TOKEN_INVALID');
});

test('missing, empty, garbage and oversized tokens', async () => {
  assert.is(await codeOf(tokens.verify(undefined, 'r1')), 'TOKEN_MISSING');
  assert.is(await codeOf(tokens.verify('', 'r1')), 'TOKEN_MISSING');
  assert.is(await codeOf(tokens.verify(42, 'r1')), 'TOKEN_MISSING');
  assert.is(await codeOf(tokens.verify('not.a.jwt', 'r1')), 'TOKEN_INVALID');
  assert.is(await codeOf(tokens.verify('x'.repeat(5000), 'r1')), 'TOKEN_INVALID');
});

test.run();
