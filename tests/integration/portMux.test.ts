import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@nomades/server';
import { IceTcpRelay } from '../../server/src/reach/IceTcpRelay.js';
import { PortMux } from '../../server/src/reach/PortMux.js';
import { parseFirstFrame } from '../../server/src/reach/stunFrame.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * One port for HTTP and ICE-TCP (REACH-1/2 in docs/spec/reachability.md), over real sockets: an
 * http.Server behind a PortMux, an IceTcpRelay whose "worker" is a TCP echo server standing for a
 * mediasoup worker's ICE-TCP port. The browser proof is tests/e2e/reach.browser.test.ts.
 */
interface Ctx {
  http: http.Server;
  port: number;
  relay: IceTcpRelay;
  mux: PortMux;
  worker: net.Server;
  workerPort: number;
  workerReceived: Buffer[];
}
const mux = suite<Ctx>('port mux');

/** An RFC 4571 frame with a STUN binding request whose USERNAME is `username`. */
function stunFrame(username: string, type = 0x0001): Buffer {
  const user = Buffer.from(username, 'latin1');
  const padded = Buffer.alloc(Math.ceil(user.length / 4) * 4);
  user.copy(padded);
  const attr = Buffer.alloc(4);
  attr.writeUInt16BE(0x0006, 0);
  attr.writeUInt16BE(user.length, 2);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(4 + padded.length, 2);
  header.writeUInt32BE(0x2112a442, 4);
  header.fill(7, 8);
  const message = Buffer.concat([header, attr, padded]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** Connects, writes `bytes` (in pieces if several), and resolves with what came back once the server closed or after `ms`. */
function exchange(port: number, pieces: Buffer[], ms = 1_500): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => (closedByServer = true));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closedByServer });
    });
    socket.on('connect', async () => {
      for (const p of pieces) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

mux.before(async (ctx) => {
  const log = createLogger('silent');
  ctx.workerReceived = [];
  ctx.worker = net.createServer((s) => s.on('data', (d) => (ctx.workerReceived.push(d), s.write(Buffer.concat([Buffer.from('echo:'), d])))));
  await new Promise<void>((r) => ctx.worker.listen(0, '127.0.0.1', r));
  ctx.workerPort = (ctx.worker.address() as AddressInfo).port;
  ctx.http = http.createServer((_req, res) => res.end('hello'));
  ctx.relay = new IceTcpRelay({ announcedIp: '127.0.0.1', announcedPort: () => ctx.port, workerHost: '127.0.0.1', log });
  ctx.mux = new PortMux(ctx.http, { ice: ctx.relay, log, firstBytesTimeoutMs: 300 });
  await new Promise<void>((r) => ctx.http.listen(0, '127.0.0.1', r));
  ctx.port = (ctx.http.address() as AddressInfo).port;
});
mux.after(async (ctx) => {
  ctx.relay.close();
  ctx.http.closeAllConnections();
  await new Promise((r) => ctx.http.close(r));
  await new Promise((r) => ctx.worker.close(r));
});

mux('an HTTP request on the shared port is answered by the HTTP server', async (ctx) => {
  const res = await fetch(`http://127.0.0.1:${ctx.port}/`);
  assert.is(await res.text(), 'hello');
  assert.ok(ctx.mux.stats.http >= 1);
});

mux('a STUN request naming a routed ufrag reaches the worker port, first bytes included, and both ways flow', async (ctx) => {
  const undo = ctx.relay.route('abcd1234', ctx.workerPort);
  const first = stunFrame('abcd1234:cl1ent');
  // Split across two writes: the mux waits for the whole first frame.
  const { data } = await exchange(ctx.port, [first.subarray(0, 7), first.subarray(7), Buffer.from('after')]);
  await waitFor('the worker received the frame and what followed', () => Buffer.concat(ctx.workerReceived).includes(Buffer.from('after')));
  assert.ok(Buffer.concat(ctx.workerReceived).subarray(0, first.length).equals(first), 'the first frame arrives unchanged');
  assert.ok(data.includes(Buffer.from('echo:')), 'the worker answers through the relay');
  assert.ok(ctx.relay.stats.relayed >= 1);
  undo();
});

mux('refused and closed: a STUN request naming no known ufrag, junk, a non-binding STUN message, silence', async (ctx) => {
  const before = ctx.mux.stats.refused;
  const relayedBefore = ctx.relay.stats.relayed;
  for (const [what, pieces] of [
    ['unknown ufrag', [stunFrame('zzzz9999:client')]],
    ['junk', [Buffer.from([0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff])]],
    ['a STUN indication, not a binding request', [stunFrame('abcd1234:client', 0x0011)]],
    ['an oversized frame length', [Buffer.from([0x7f, 0xff, 0x00, 0x01])]],
    ['silence', []],
  ] as Array<[string, Buffer[]]>) {
    const { closedByServer, data } = await exchange(ctx.port, pieces);
    assert.ok(closedByServer, `${what}: closed by the server`);
    assert.is(data.length, 0, `${what}: nothing answered`);
  }
  assert.is(ctx.mux.stats.refused - before, 4, 'junk, indication, oversized, silence refused by the mux');
  assert.is(ctx.relay.stats.unknownUfrag, 1, 'the unknown ufrag refused by the relay');
  assert.is(ctx.relay.stats.relayed, relayedBefore);
  const res = await fetch(`http://127.0.0.1:${ctx.port}/`);
  assert.is(await res.text(), 'hello', 'HTTP still served');
});

mux('a route is undone by its own undo only (an ICE restart re-routes under a new ufrag)', async (ctx) => {
  const undoOld = ctx.relay.route('olduf111', ctx.workerPort);
  const undoNew = ctx.relay.route('newuf222', ctx.workerPort);
  undoOld();
  const unknown = ctx.relay.stats.unknownUfrag;
  assert.ok((await exchange(ctx.port, [stunFrame('olduf111:c')])).closedByServer);
  assert.is(ctx.relay.stats.unknownUfrag, unknown + 1, 'the old ufrag no longer routes');
  ctx.workerReceived.length = 0;
  await exchange(ctx.port, [stunFrame('newuf222:c')], 300);
  assert.ok(ctx.workerReceived.length > 0, 'the new one does');
  undoNew();
});

mux('parseFirstFrame: incomplete until whole, then the server ufrag; every malformed header refused early', () => {
  const f = stunFrame('srvUfrag:cli');
  assert.equal(parseFirstFrame(f.subarray(0, 1)), { kind: 'incomplete' });
  assert.equal(parseFirstFrame(f.subarray(0, 15)), { kind: 'incomplete' });
  assert.equal(parseFirstFrame(f), { kind: 'stun', serverUfrag: 'srvUfrag', frameBytes: f.length });
  const badCookie = Buffer.from(f);
  badCookie.writeUInt32BE(0xdeadbeef, 6);
  assert.is(parseFirstFrame(badCookie.subarray(0, 12)).kind, 'invalid', 'a bad cookie is refused before the frame is whole');
  assert.is(parseFirstFrame(stunFrame('bad ufrag!:x')).kind, 'invalid');
  const noUser = Buffer.from(f);
  noUser.writeUInt16BE(0x0020, 22); // the attribute is no longer USERNAME
  assert.equal(parseFirstFrame(noUser), { kind: 'invalid', reason: 'no USERNAME' });
});

mux.run();
