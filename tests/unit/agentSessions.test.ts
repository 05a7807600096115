import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, loadConfig } from '@nomades/server';
import { AgentSessions } from '../../server/src/auth/AgentSessions.js';
import { secureCookies } from '../../server/src/auth/signInParts.js';
import { StoreEngines } from '../helpers/storeEngines.js';

/**
 * AgentSessions (AUTH-8) on the SQLite store, with a clock of its own: the cookie under HTTPS
 * (`__Host-`, Secure), a cookie of the wrong shape or planted twice is nobody, and the lifetimes.
 */
const engines = new StoreEngines();
test.after(() => engines.close());

const identity = { key: 'u:abcdefghijklmnopqrstuv', sub: 's', name: 'Camille Martin', email: 'c@ville.fr', groups: ['g'], acr: null, sid: null };
const fakeRes = () => {
  const headers = new Map<string, unknown>();
  return { getHeader: (n: string) => headers.get(n), setHeader: (n: string, v: unknown) => headers.set(n, v), headers } as unknown as ServerResponse & { headers: Map<string, unknown> };
};
const reqWith = (cookie?: string) => ({ headers: cookie ? { cookie } : {} }) as IncomingMessage;

test('AUTH-8 under HTTPS the cookie is __Host- prefixed and Secure; PUBLIC_URL decides', () =>
  engines.with('sqlite', async (store) => {
    assert.is(secureCookies(loadConfig({ PUBLIC_URL: 'https://visio.ville.example' })), true);
    assert.is(secureCookies(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:3000' })), false);
    const auth = loadConfig({}).auth;
    const sessions = new AgentSessions({ store: store.auth, auth, secure: true, log: createLogger('silent') });
    const res = fakeRes();
    await sessions.open(identity, 'eyJ.id.token', 'generic', reqWith(), res);
    const [cookie] = res.headers.get('set-cookie') as string[];
    assert.match(cookie, /^__Host-nomades_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
    const value = cookie.split(';')[0];
    assert.is((await sessions.current(reqWith(value)))?.name, 'Camille Martin');
    assert.is(await sessions.current(reqWith(value.replace('__Host-', ''))), undefined, 'the unprefixed name is not read under HTTPS');
    assert.is(await sessions.current(reqWith(`${value}; ${value.replace(/=.*/, '=x')}`)), undefined, 'twice: trust neither');
    assert.is(await sessions.current(reqWith('__Host-nomades_session=short')), undefined);
    sessions.close();
    sessions.close();
  }),
);

test('AUTH-8 idle and absolute lifetimes on the session\'s own clock; touched at most every quarter of the idle time', () =>
  engines.with('sqlite', async (store) => {
    let now = 1_000_000;
    const auth = { ...loadConfig({}).auth, sessionIdleS: 100, sessionMaxS: 250 };
    const sessions = new AgentSessions({ store: store.auth, auth, secure: false, log: createLogger('silent'), now: () => now });
    const res = fakeRes();
    await sessions.open(identity, 'eyJ.id.token', 'generic', reqWith(), res);
    const cookie = (res.headers.get('set-cookie') as string[])[0].split(';')[0];
    for (const step of [20_000, 30_000, 90_000, 90_000]) {
      now += step;
      assert.ok(await sessions.current(reqWith(cookie)), `alive at +${now - 1_000_000} ms`);
    }
    now += 30_000; // 260 s after the login
    assert.is(await sessions.current(reqWith(cookie)), undefined, 'absolute end');
    await sessions.open(identity, 'eyJ.id.token', 'generic', reqWith(), res);
    const other = (res.headers.get('set-cookie') as string[]).at(-1)!.split(';')[0];
    now += 100_000;
    assert.is(await sessions.current(reqWith(other)), undefined, 'idle 100 s');
  }),
);

test.run();
