import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLUSTER_LIMITS, nodeEndpoints } from '@nomades/shared';
import { NodeRoute } from '../../client/src/session/NodeRoute.js';

/** NODE-2/3 on the client: which node to talk to (client/src/session/NodeRoute.ts). */
const A = 'http://127.0.0.1:3001';
const B = 'http://127.0.0.1:3002';
const C = 'https://visio.example/n/c';

test('one node: nothing to follow, nothing to fail over to', () => {
  const route = new NodeRoute(A);
  route.learn([]);
  assert.is(route.failed(), false);
  assert.is(route.current, A);
});

test('follows a WRONG_NODE to the room\'s node, refusing what is not a node address', () => {
  const route = new NodeRoute(A);
  for (const bad of ['javascript:alert(1)', 'ftp://x', 'http://u:p@h', 'http://h/?q=1', 42, null, 'x'.repeat(300)]) assert.is(route.follow(bad), false, String(bad));
  assert.is(route.current, A);
  assert.is(route.follow(B), true);
  assert.is(route.current, B);
  assert.is(route.follow(B), false, 'already there');
  // B dies: the page's node is a last resort
  assert.is(route.failed(), true);
  assert.is(route.current, A);
});

test('after a join, a dead node is left for the next live one, then the page\'s, round and round', () => {
  const route = new NodeRoute(A);
  route.follow(B);
  route.learn([A, C, 'not a url', B]);
  assert.is(route.failed(), true);
  assert.is(route.current, A);
  assert.is(route.failed(), true);
  assert.is(route.current, C);
  assert.is(route.failed(), true);
  assert.is(route.current, B, 'a failed node comes round again');
});

test('a node address may carry a path prefix (a front routing /n/c/ to node c)', () => {
  assert.equal(nodeEndpoints(C), { origin: 'https://visio.example', socketPath: '/n/c/socket.io', collabUrl: 'wss://visio.example/n/c/collab' });
  assert.equal(nodeEndpoints(`${A}/`), { origin: A, socketPath: '/socket.io', collabUrl: 'ws://127.0.0.1:3001/collab' });
});

test('a node that failed is suspect for a while: a home named there is stale (NODE-5)', () => {
  const route = new NodeRoute(A);
  route.follow(B);
  route.learn([A]);
  assert.is(route.suspect(B, 0), false);
  assert.is(route.failed(1_000), true, 'B does not answer: to A');
  assert.is(route.suspect(B, 1_500), true);
  assert.is(route.suspect(A, 1_500), false);
  assert.is(route.suspect(B, 1_000 + CLUSTER_LIMITS.suspectMs), false, 'not for ever');
  assert.is(route.suspect(42, 1_500), false);
});

test('a node gone silent is avoided for the next attempt, not marked failed: a home named there is followed back', () => {
  const route = new NodeRoute(A);
  route.follow(B);
  route.learn([A, C]);
  assert.is(route.avoid(), true);
  assert.is(route.current, A);
  assert.is(route.suspect(B), false, 'only our own network may have blinked');
  assert.is(route.follow(B), true, 'the other node sends us back to B');
  const alone = new NodeRoute(A);
  assert.is(alone.avoid(), false, 'one node: nowhere else to go');
  assert.is(alone.current, A);
});

test.run();
