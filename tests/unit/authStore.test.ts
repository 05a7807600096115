import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AgentSessionRow, PendingLogin } from '../../server/src/store/AuthStore.js';
import { StoreEngines } from '../helpers/storeEngines.js';

/**
 * The sign-in rows of the store (AUTH-2, AUTH-8, AUTH-12) on SQLite and on PostgreSQL: a login in
 * progress is taken once (concurrently too), a browser keeps at most N, sessions are found and
 * ended by id, email, provider sid or sub, a logout token's jti is accepted once, and the sweep
 * removes only what is over, a bounded number at a time.
 */
const engines = new StoreEngines();
test.after(() => engines.close());

const NOW = 2_000_000_000_000; // Unix ms beyond 2^32: 64-bit columns
const login = (state: string, browser: string, at = NOW): PendingLogin => ({
  stateHash: state, browserHash: browser, nonce: `n-${state}`, codeVerifier: `v-${state}`, returnTo: '/room/a', createdAt: at, expiresAt: at + 600_000,
});
const session = (id: string, over: Partial<AgentSessionRow> = {}): AgentSessionRow => ({
  idHash: id, agentKey: 'u:abcdefghijklmnopqrstuv', name: 'Camille Martin', email: 'camille@ville.fr', groups: ['dasco', 'élus'],
  preset: 'generic', acr: null, providerSid: `sid-${id}`, providerSub: 'sub-1', idToken: 'eyJ.x.y', createdAt: NOW, lastSeenAt: NOW, expiresAt: NOW + 43_200_000, ...over,
});

for (const engine of engines.names) {
  test(`auth store (${engine}): AUTH-2 a login is taken once, even by concurrent callbacks; expired ones are not given`, () =>
    engines.with(engine, async (store) => {
      await store.auth.addLogin(login('s1', 'b1'), 5);
      const taken = await Promise.all([1, 2, 3, 4].map(() => store.auth.takeLogin('s1', NOW + 1)));
      const got = taken.filter(Boolean);
      assert.is(got.length, 1, 'one of four concurrent takes wins');
      assert.equal(got[0], login('s1', 'b1'));
      assert.is(await store.auth.takeLogin('s1', NOW + 2), undefined, 'used once');
      await store.auth.addLogin(login('s2', 'b1'), 5);
      assert.is(await store.auth.takeLogin('s2', NOW + 600_000), undefined, 'expired');
      assert.is(await store.auth.takeLogin('s2', NOW), undefined, 'and gone');
    }),
  );

  test(`auth store (${engine}): AUTH-2 a browser keeps its newest 5 logins; another browser's are untouched`, () =>
    engines.with(engine, async (store) => {
      await store.auth.addLogin(login('other', 'b2'), 5);
      for (let i = 0; i < 7; i++) await store.auth.addLogin(login(`s${i}`, 'b1', NOW + i), 5);
      const left: string[] = [];
      for (let i = 0; i < 7; i++) if (await store.auth.takeLogin(`s${i}`, NOW)) left.push(`s${i}`);
      assert.equal(left, ['s2', 's3', 's4', 's5', 's6']);
      assert.ok(await store.auth.takeLogin('other', NOW));
    }),
  );

  test(`auth store (${engine}): AUTH-8 sessions round-trip, are touched, and end by id, email, provider sid or sub`, () =>
    engines.with(engine, async (store) => {
      await store.auth.addSession(session('a'), 20);
      await store.auth.addSession(session('b', { providerSid: null }), 20);
      await store.auth.addSession(session('c', { email: 'autre@ville.fr', providerSub: 'sub-2' }), 20);
      await store.auth.addSession(session('d', { email: null, providerSub: 'sub-3', providerSid: 'sid-x' }), 20);
      assert.equal(await store.auth.getSession('a'), session('a'));
      assert.is(await store.auth.getSession('zz'), undefined);
      await store.auth.touchSession('a', NOW + 90_000);
      assert.is((await store.auth.getSession('a'))?.lastSeenAt, NOW + 90_000);
      assert.equal(await store.auth.deleteSessions({ providerSid: 'sid-x' }), ['d']);
      assert.equal(await store.auth.deleteSessions({ idHash: 'c' }), ['c']);
      assert.equal((await store.auth.deleteSessions({ email: 'camille@ville.fr' })).sort(), ['a', 'b']);
      await store.auth.addSession(session('e'), 20);
      assert.equal(await store.auth.deleteSessions({ providerSub: 'sub-1' }), ['e']);
      assert.equal(await store.auth.deleteSessions({ providerSub: 'sub-1' }), []);
    }),
  );

  test(`auth store (${engine}): AUTH-8 an agent keeps its newest N sessions; the dropped ones are named; another agent's are untouched`, () =>
    engines.with(engine, async (store) => {
      await store.auth.addSession(session('other', { agentKey: 'u:other' }), 2);
      assert.equal(await store.auth.addSession(session('s0', { createdAt: NOW }), 2), []);
      assert.equal(await store.auth.addSession(session('s1', { createdAt: NOW + 1 }), 2), []);
      assert.equal(await store.auth.addSession(session('s2', { createdAt: NOW + 2 }), 2), ['s0']);
      assert.equal([await store.auth.getSession('s0'), !!(await store.auth.getSession('s1')), !!(await store.auth.getSession('other'))], [undefined, true, true]);
    }),
  );

  test(`auth store (${engine}): AUTH-12 a logout token's jti is remembered once, even concurrently`, () =>
    engines.with(engine, async (store) => {
      const results = await Promise.all([1, 2, 3].map(() => store.auth.rememberJti('j1', NOW + 120_000)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.is(await store.auth.rememberJti('j1', NOW + 120_000), false);
      assert.is(await store.auth.rememberJti('j2', NOW + 120_000), true);
    }),
  );

  test(`auth store (${engine}): the sweep removes expired logins, sessions over (absolute or idle) and old jtis, a bounded number at a time`, () =>
    engines.with(engine, async (store) => {
      const later = NOW + 3_600_000;
      for (let i = 0; i < 3; i++) await store.auth.addLogin(login(`old${i}`, `b${i}`), 5);
      await store.auth.addLogin(login('live', 'b9', later), 5);
      await store.auth.addSession(session('absolute', { expiresAt: later - 1 }), 20);
      await store.auth.addSession(session('idle', { lastSeenAt: later - 7_200_000 }), 20);
      await store.auth.addSession(session('live', { lastSeenAt: later - 60_000 }), 20);
      await store.auth.rememberJti('old', later - 1);
      await store.auth.rememberJti('new', later + 1);
      assert.is(await store.auth.sweep(later, 7_200_000, 2), 2 + 2 + 1, 'two logins, two sessions, one jti');
      assert.is(await store.auth.sweep(later, 7_200_000, 2), 1, 'the third old login');
      assert.is(await store.auth.sweep(later, 7_200_000, 2), 0);
      assert.ok(await store.auth.getSession('live'));
      assert.is(await store.auth.getSession('idle'), undefined);
      assert.ok(await store.auth.takeLogin('live', later));
      assert.is(await store.auth.rememberJti('new', later + 1), false, 'a live jti is kept');
    }),
  );
}

test.run();
