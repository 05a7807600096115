/**
 * How fast a participant's media goes away for the others (the figures the moderation and meeting
 * tests used to bound, measured here instead). Three wrtc bots in a room (Opus + VP8 320×240 at
 * 15 fps), on a real server in this process; each round one of them goes, three ways:
 *   removed   a host's removeParticipant: until every consumer of it is closed at both receivers,
 *             and the last frame/chunk of it decoded there (counters sampled every 10 ms);
 *   closed    its socket closes without a leave: until both others got peerLeft;
 *   cut       its signaling goes silent (a relay drops everything, FIN included): until both
 *             others got peerLeft, i.e. the server's missed-heartbeat removal (ping 5 s + 5 s).
 *
 *   npx tsx scripts/bench/removal.ts [--rounds 5]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { request } from '../../tests/helpers/signalingClient.js';
import { TcpBlackhole } from '../../tests/helpers/TcpBlackhole.js';
import { startTestServer, type TestServer } from '../../tests/helpers/testServer.js';
import { waitFor } from '../../tests/helpers/waitFor.js';
import { WrtcBot } from '../../tests/helpers/WrtcBot.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(args.rounds);

async function bot(srv: TestServer, roomId: string, name: string, role?: string, url = srv.url): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  await b.join(url, roomId, await srv.mintToken(roomId, name, role));
  return b;
}

/** A room with a host, a bystander and the one who goes; media flowing both ways. */
async function room(srv: TestServer, url?: string): Promise<{ host: WrtcBot; other: WrtcBot; gone: WrtcBot }> {
  const { id } = await srv.createRoom();
  const host = await bot(srv, id, 'Host', 'host');
  const other = await bot(srv, id, 'Other');
  const gone = await bot(srv, id, 'Gone', 'participant', url);
  await waitFor('everyone decodes the one who goes', () => [host, other].every((b) => b.tracksFrom(gone.peerId).some((t) => t.kind === 'video' && t.frames > 5)), 20_000);
  return { host, other, gone };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)} (${s.length} rounds)`;
};

// RESUME_GRACE_MS=0: a lost connection is removed as soon as it is detected (SIG-13 off), so the
// figure is the heartbeat's alone; add the grace period (30 s by default) for the product's.
const srv = await startTestServer({ RESUME_GRACE_MS: '0' });
const removedClosed: number[] = [];
const removedLastFrame: number[] = [];
const closed: number[] = [];
const cut: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const r = await room(srv);
    const tracks = [r.host, r.other].flatMap((b) => b.tracksFrom(r.gone.peerId));
    const seen = tracks.map((t) => t.frames);
    let lastMove = 0;
    const t0 = performance.now();
    const sampler = setInterval(() => {
      tracks.forEach((t, k) => {
        if (t.frames !== seen[k]) (seen[k] = t.frames), (lastMove = performance.now() - t0);
      });
    }, 10);
    await request(r.host.socket, 'removeParticipant', { peerId: r.gone.peerId });
    await waitFor('every consumer closed', () => tracks.every((t) => t.closed), 10_000, 5);
    removedClosed.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    clearInterval(sampler);
    removedLastFrame.push(lastMove);
    for (const b of [r.host, r.other, r.gone]) b.close();

    const c = await room(srv);
    const goneId = c.gone.peerId;
    const t1 = performance.now();
    c.gone.close();
    await waitFor('peerLeft at both', () => !c.host.peers.has(goneId) && !c.other.peers.has(goneId), 10_000, 5);
    closed.push(performance.now() - t1);
    c.host.close();
    c.other.close();
  }
  for (let i = 0; i < Math.min(ROUNDS, 3); i++) {
    const relay = await TcpBlackhole.start(srv.url);
    const c = await room(srv, relay.url);
    const goneId = c.gone.peerId;
    const t2 = performance.now();
    relay.cut();
    await waitFor('peerLeft at both', () => !c.host.peers.has(goneId) && !c.other.peers.has(goneId), 30_000, 5);
    cut.push(performance.now() - t2);
    for (const b of [c.host, c.other, c.gone]) b.close();
    relay.close();
  }
} finally {
  await srv.close();
}
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
console.log(`removed: every consumer closed at both receivers  ${stats(removedClosed)}`);
console.log(`removed: last frame/chunk decoded                 ${stats(removedLastFrame)}`);
console.log(`socket closed, no leave: peerLeft at both          ${stats(closed)}`);
console.log(`signaling cut, no close: peerLeft at both          ${stats(cut)}`);
process.exit(0);
