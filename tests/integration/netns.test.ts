import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import * as uvu from 'uvu';
import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { NetNamespace } from '../helpers/NetNamespace.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Self-test of the field-test harness (tests/helpers/NetNamespace.ts): a namespace joined to the
 * host by a veth pair reaches the host's address on the pair, its firewall drops what it is told
 * to (checked against the firewall's own drop counters, so that no negative check rests on a
 * fixed wait), the bandwidth limit is in the path, and close() leaves nothing behind.
 */
interface Ctx {
  namespaces: NetNamespace[];
  listeners: Array<{ close(): void }>;
}
const netns = uvu.suite<Ctx>('network namespace harness', { namespaces: [], listeners: [] });

netns.after.each(async (ctx) => {
  for (const l of ctx.listeners) l.close();
  ctx.listeners = [];
  await Promise.all(ctx.namespaces.map((ns) => ns.close()));
  ctx.namespaces = [];
});

async function create(ctx: Ctx): Promise<NetNamespace> {
  const ns = await NetNamespace.create();
  ctx.namespaces.push(ns);
  return ns;
}

/** A TCP server on `address` that keeps what each connection sends. */
async function tcpListener(ctx: Ctx, address: string): Promise<{ port: number; received: string[]; connections: () => number }> {
  const received: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => {
      received.push(data);
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  ctx.listeners.push({ close: () => server.close() });
  return { port: (server.address() as net.AddressInfo).port, received, connections: () => connections };
}

/** A UDP socket on `address` that keeps the datagrams it gets. */
async function udpListener(ctx: Ctx, address: string): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m) => received.push(String(m)));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  ctx.listeners.push({ close: () => socket.close() });
  return { port: socket.address().port, received };
}

/** From inside the namespace: a TCP connection that sends `text` (bash's /dev/tcp), bounded by `timeoutMs`. */
function sendTcp(ns: NetNamespace, port: number, text: string, timeoutMs = 5_000) {
  return ns.exec('bash', ['-c', `exec 3<>/dev/tcp/${ns.hostAddress}/${port} && printf %s '${text}' >&3 && exec 3>&-`], { timeoutMs });
}

/** From inside the namespace: one UDP datagram per text. */
function sendUdp(ns: NetNamespace, port: number, texts: string[]) {
  return ns.exec('bash', ['-c', texts.map((t) => `printf %s '${t}' > /dev/udp/${ns.hostAddress}/${port}`).join('; ')]);
}

const listed = () => ({
  namespaces: execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }),
  links: execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }),
});

netns('a namespace reaches the host through its router, and only the test subnet', async (ctx) => {
  assert.ok(await NetNamespace.available(), 'ip, tc and iptables-legacy are installed');
  const ns = await create(ctx);
  const { namespaces, links } = listed();
  assert.ok(namespaces.includes(ns.name), `ip netns list shows ${ns.name}`);
  assert.ok(links.includes(`${ns.hostInterface}@`), `ip link shows ${ns.hostInterface}`);
  const routes = (await ns.exec('ip', ['-4', 'route'])).stdout;
  assert.not.match(routes, /default/, 'no default route: nothing but the test subnet is reachable');
  assert.match(routes, new RegExp(`^${ns.hostAddress.replace(/\.1$/, '.0').replace(/\./g, '\\.')}/30 via `, 'm'), routes);
  const tcp = await tcpListener(ctx, ns.hostAddress);
  const r = await sendTcp(ns, tcp.port, 'hello from inside');
  assert.is(r.code, 0, r.stderr);
  await waitFor('the message to arrive', () => tcp.received.includes('hello from inside'));
});

netns('drop all: a TCP connection from inside never reaches the host (its SYN is dropped); cleared, it does', async (ctx) => {
  const ns = await create(ctx);
  const tcp = await tcpListener(ctx, ns.hostAddress);
  await ns.dropAll();
  const r = await sendTcp(ns, tcp.port, 'blocked', 2_000);
  assert.ok(r.code !== 0, 'the connect does not succeed');
  const dropped = await ns.droppedPackets();
  assert.ok(dropped.out >= 1, `the SYN was dropped on the way out (${JSON.stringify(dropped)})`);
  assert.is(tcp.connections(), 0, 'the server saw no connection');
  await ns.clearFirewall();
  assert.is((await sendTcp(ns, tcp.port, 'through')).code, 0);
  await waitFor('the message after clearing', () => tcp.received.includes('through'));
  assert.not.ok(tcp.received.includes('blocked'));
});

netns('drop UDP: TCP connects, a UDP datagram is dropped and does not arrive', async (ctx) => {
  const ns = await create(ctx);
  const [tcp, udp] = [await tcpListener(ctx, ns.hostAddress), await udpListener(ctx, ns.hostAddress)];
  // Control: without rules the same sender's datagram arrives.
  assert.is((await sendUdp(ns, udp.port, ['open'])).code, 0);
  await waitFor('the datagram sent without rules', () => udp.received.includes('open'));
  await ns.dropUdp();
  assert.is((await sendUdp(ns, udp.port, ['blocked'])).code, 0, 'sending is not refused (dropped silently)');
  assert.is((await ns.droppedPackets()).out, 1, 'the datagram was dropped on the way out of the namespace');
  assert.is((await sendTcp(ns, tcp.port, 'tcp passes')).code, 0);
  await waitFor('the TCP message sent after the datagram', () => tcp.received.includes('tcp passes'));
  assert.equal(udp.received, ['open'], 'the dropped datagram did not arrive');
});

netns('only TCP to one port: that port connects; another TCP port and UDP are dropped', async (ctx) => {
  const ns = await create(ctx);
  const [open, closed, udp] = [await tcpListener(ctx, ns.hostAddress), await tcpListener(ctx, ns.hostAddress), await udpListener(ctx, ns.hostAddress)];
  await ns.allowOnlyTcpPort(open.port);
  assert.is((await sendTcp(ns, open.port, 'allowed')).code, 0);
  await waitFor('the message to the allowed port', () => open.received.includes('allowed'));
  const before = (await ns.droppedPackets()).out;
  assert.ok((await sendTcp(ns, closed.port, 'other port', 2_000)).code !== 0, 'another port does not connect');
  assert.is((await sendUdp(ns, udp.port, ['udp'])).code, 0);
  const after = (await ns.droppedPackets()).out;
  assert.ok(after >= before + 2, `the SYN and the datagram were dropped (${before} → ${after})`);
  assert.is(closed.connections(), 0);
  assert.is(udp.received.length, 0);
});

netns('random loss: each datagram is dropped or delivered, both happen, and drops are counted exactly', async (ctx) => {
  const ns = await create(ctx);
  const udp = await udpListener(ctx, ns.hostAddress);
  await ns.randomLoss(0.5);
  const texts = Array.from({ length: 200 }, (_, i) => `d${i}`);
  assert.is((await sendUdp(ns, udp.port, texts)).code, 0);
  const dropped = (await ns.droppedPackets()).out;
  await waitFor(`the ${texts.length - dropped} datagrams not dropped`, () => udp.received.length === texts.length - dropped);
  assert.ok(dropped > 0 && udp.received.length > 0, `some dropped (${dropped}), some delivered (${udp.received.length})`);
  const listing = await ns.firewallListing();
  assert.match(listing, new RegExp(`-A FORWARD -i ${ns.routerUplink} -o ${ns.routerLan} -m statistic --mode random --probability 0\\.5\\d* -j DROP`), 'the loss applies on the way in too');
});

netns('cut() drops everything whatever the rules; restore() puts the rules back', async (ctx) => {
  const ns = await create(ctx);
  const tcp = await tcpListener(ctx, ns.hostAddress);
  await ns.dropUdp();
  await ns.cut();
  assert.ok((await sendTcp(ns, tcp.port, 'during the cut', 2_000)).code !== 0, 'no TCP during the cut');
  assert.ok((await ns.droppedPackets()).out >= 1);
  await ns.restore();
  assert.is((await sendTcp(ns, tcp.port, 'after the cut')).code, 0);
  await waitFor('the message after restore', () => tcp.received.includes('after the cut'));
  assert.equal(tcp.received, ['after the cut']);
  assert.match(await ns.firewallListing(), /-p udp -j DROP/, 'the UDP rule is back');
});

netns('bandwidth: tbf on the router shapes a transfer (over-limit counted), every byte arrives', async (ctx) => {
  const ns = await create(ctx);
  const tcp = await tcpListener(ctx, ns.hostAddress);
  await ns.limitBandwidth({ upKbit: 2000, downKbit: 4000 });
  const { up, down } = await ns.qdiscStats();
  assert.match(up, /tbf .*rate 2Mbit/, up);
  assert.match(down, /tbf .*rate 4Mbit/, down);
  const size = 300_000;
  const started = Date.now();
  const r = await ns.exec('bash', ['-c', `exec 3<>/dev/tcp/${ns.hostAddress}/${tcp.port} && head -c ${size} /dev/zero >&3 && exec 3>&-`], { timeoutMs: 20_000 });
  assert.is(r.code, 0, r.stderr);
  await waitFor('the whole transfer', () => tcp.received[0]?.length === size, 20_000);
  const seconds = (Date.now() - started) / 1000;
  const stats = (await ns.qdiscStats()).up;
  const overlimits = Number(/overlimits (\d+)/.exec(stats)?.[1]);
  assert.ok(overlimits > 0, `the transfer went over the bucket and was held back:\n${stats}`);
  console.log(`[netns] ${size} bytes up through a 2 Mbit/s tbf in ${seconds.toFixed(2)} s (${((size * 8) / seconds / 1e6).toFixed(2)} Mbit/s)`);
  await ns.clearBandwidth();
  const cleared = await ns.qdiscStats();
  assert.not.match(cleared.up + cleared.down, /tbf/);
});

netns('close() removes the namespace and both veth ends, is idempotent, and what a crashed run left is removed', async (ctx) => {
  const ns = await create(ctx);
  await ns.close();
  await ns.close();
  const { namespaces, links } = listed();
  assert.not.ok(namespaces.includes(ns.name), 'no namespace left');
  assert.not.ok(namespaces.includes(ns.routerName), 'no router namespace left');
  assert.not.ok(links.includes(ns.hostInterface), 'no veth left');
  const refused = async (p: Promise<unknown>) => p.then(() => false, () => true);
  assert.ok(await refused(ns.exec('true')), 'nothing runs in a closed namespace');
  assert.ok(await refused(ns.dropAll()), 'rules cannot be set on a closed namespace');

  // A crashed run: a namespace and a veth named after a process that is gone.
  const deadPid = spawnSync('true').pid!;
  const [name, router, link] = [`nvt-${deadPid}-63`, `nvt-${deadPid}-63r`, `nvt-${deadPid}-62h`];
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'add', router]);
  execFileSync('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `nvt-${deadPid}-62a`]);
  const removed = await NetNamespace.removeLeftovers();
  assert.ok([name, router, link].every((n) => removed.includes(n)), `removed: ${removed.join(', ')}`);
  const after = listed();
  assert.not.ok(after.namespaces.includes(`nvt-${deadPid}-`));
  assert.not.ok(after.links.includes(`nvt-${deadPid}-62`));
});

exitAfterRun(netns);
