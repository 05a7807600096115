import type { Socket } from 'socket.io-client';
import { Cluster } from '../../../tests/helpers/Cluster.js';
import { sampleValue } from '../../../tests/helpers/promText.js';
import { scrape } from '../../../tests/helpers/scrape.js';
import { connectSocket, request, RequestError } from '../../../tests/helpers/signalingClient.js';
import { sleep, waitFor } from '../../../tests/helpers/waitFor.js';
import { childPids, sampleProcess } from './procStats.js';

/** CPU seconds so far of each node's Node.js process and of its mediasoup workers together. */
export interface CpuSample {
  at: number;
  node: number[];
  workers: number[];
}

/** What each node's /metrics says of its pipes (SPAN-3): bytes in and out so far, producers piped in and out. */
export interface PipeSample {
  at: number;
  bytesIn: number[];
  bytesOut: number[];
  pipedIn: Array<{ audio: number; video: number }>;
}

export interface NodeHealth {
  participants: number;
  annexRooms: string[];
}

/**
 * Two `npm start` nodes (tests/helpers/Cluster.ts: PostgreSQL, Redis, one mediasoup worker each),
 * both with NODE_MAX_PARTICIPANTS = `limit`, for the span benchmark (scripts/bench/spanRoom.ts).
 * A room's home is whichever node the directory places it on; `fill` puts signaling-only
 * participants (a `join`, no transport: no media flows, no CPU) on the home, so that the next
 * joins go to the annex once the home holds `limit` (SPAN-5). Reads each node's CPU from /proc
 * and its pipes from /metrics (127.0.0.1: no key needed, OPS-1).
 */
export class SpanNodes {
  private constructor(
    readonly cluster: Cluster,
    readonly limit: number,
    readonly workerPids: number[][],
  ) {}

  static async start(limit: number): Promise<SpanNodes> {
    const cluster = await Cluster.start(2, { NODE_MAX_PARTICIPANTS: String(limit) });
    try {
      const workers = await waitFor('each node\'s mediasoup worker', () => {
        const pids = cluster.nodes.map((n) => childPids(n!.pid).filter((pid) => sampleProcess(pid)?.name.startsWith('mediasoup')));
        return pids.every((p) => p.length > 0) ? pids : null;
      }, 10_000);
      return new SpanNodes(cluster, limit, workers);
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  url(i: number): string {
    return this.cluster.url(i);
  }

  /** Creates a room and has the directory place it (a handshake on node 0: the room's home answers, or sends there). */
  async placeRoom(name: string, maxParticipants: number): Promise<{ roomId: string; home: number }> {
    const { id: roomId } = await this.cluster.createRoom({ name, maxParticipants });
    const token = await this.cluster.mintToken(roomId, 'placer');
    try {
      (await connectSocket(this.url(0), { token, roomId })).close();
    } catch (error) {
      if (!(error instanceof RequestError) || error.error.code !== 'WRONG_NODE') throw error;
    }
    return { roomId, home: await this.cluster.hostOf(roomId) };
  }

  /** `count` signaling-only participants joined on the room's home (they take media places there). */
  async fill(home: number, roomId: string, count: number): Promise<Socket[]> {
    const sockets: Socket[] = [];
    for (let i = 0; i < count; i++) {
      const socket = await connectSocket(this.url(home), { token: await this.cluster.mintToken(roomId, `filler-${i}`), roomId });
      sockets.push(socket);
      await request(socket, 'join', {});
    }
    return sockets;
  }

  async leave(sockets: Socket[]): Promise<void> {
    await Promise.all(sockets.map((s) => request(s, 'leave', {}, 3_000).catch(() => undefined)));
    for (const s of sockets) s.close();
  }

  async health(i: number): Promise<NodeHealth> {
    const answer = (await (await fetch(`${this.url(i)}/healthz`)).json()) as { node: NodeHealth };
    return answer.node;
  }

  /** Both nodes carry no media and no annex room, and one heartbeat published it (the next placement sees it). */
  async waitEmpty(): Promise<void> {
    await waitFor('both nodes empty', async () => {
      const health = await Promise.all([0, 1].map((i) => this.health(i)));
      if (health.every((h) => h.participants === 0 && h.annexRooms.length === 0)) return true;
      throw new Error(JSON.stringify(health)); // waitFor's last error: what is left
    }, 20_000);
    await sleep(1_500);
  }

  cpu(): CpuSample {
    const seconds = (pid: number) => sampleProcess(pid)?.cpuSeconds ?? NaN;
    return {
      at: performance.now(),
      node: this.cluster.nodes.map((n) => seconds(n!.pid)),
      workers: this.workerPids.map((pids) => pids.reduce((sum, pid) => sum + seconds(pid), 0)),
    };
  }

  async pipes(): Promise<PipeSample> {
    const all = await Promise.all([0, 1].map((i) => scrape(this.url(i))));
    const v = (i: number, name: string, labels: Record<string, string>) => sampleValue(all[i], name, labels);
    return {
      at: performance.now(),
      bytesIn: all.map((_, i) => v(i, 'nomades_node_pipe_bytes_total', { direction: 'in' })),
      bytesOut: all.map((_, i) => v(i, 'nomades_node_pipe_bytes_total', { direction: 'out' })),
      pipedIn: all.map((_, i) => ({ audio: v(i, 'nomades_node_piped_producers', { direction: 'in', kind: 'audio' }), video: v(i, 'nomades_node_piped_producers', { direction: 'in', kind: 'video' }) })),
    };
  }

  close(): Promise<void> {
    return this.cluster.close();
  }
}
