import { io, type Socket } from 'socket.io-client';

/**
 * A signaling-only participant (socket.io over websocket, no media): connects with
 * `auth { token, roomId }` to a node, follows a `WRONG_NODE` refusal to `params.node` (the room's
 * node), then sends `join` and waits for its answer. Timings in ms (performance.now()).
 */
export interface JoinTiming {
  /** From the first connection attempt to the socket connected on the room's node (redirects included). */
  connectMs: number;
  /** From `emit('join')` to its `{ ok: true }` answer. */
  joinMs: number;
  /** connect + join. */
  totalMs: number;
  /** WRONG_NODE refusals followed. */
  redirects: number;
}

export interface Joined {
  socket: Socket;
  timing: JoinTiming;
  peerId: string;
}

/** Where each room runs, learnt from WRONG_NODE answers (shared by the connections of a process). */
export const roomNodes = new Map<string, string>();

const CONNECT_TIMEOUT_MS = 20_000;

function connectOnce(url: string, roomId: string, token: string): Promise<{ socket: Socket } | { wrongNode: string }> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token, roomId }, reconnection: false, timeout: CONNECT_TIMEOUT_MS, forceNew: true });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`connect to ${url}: no answer within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS + 1_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('connect_error');
      resolve({ socket });
    });
    socket.once('connect_error', (error: Error & { data?: { code?: string; params?: { node?: string } } }) => {
      clearTimeout(timer);
      socket.close();
      if (error.data?.code === 'WRONG_NODE' && error.data.params?.node) resolve({ wrongNode: error.data.params.node });
      else reject(new Error(`connect to ${url}: ${error.data?.code ?? ''} ${error.message}`));
    });
  });
}

/** Connects (following WRONG_NODE, at most 3 times) and joins. */
export async function connectAndJoin(nodeUrls: string[], roomId: string, token: string): Promise<Joined> {
  const t0 = performance.now();
  let url = roomNodes.get(roomId) ?? nodeUrls[Math.floor(Math.random() * nodeUrls.length)]!;
  let redirects = 0;
  for (;;) {
    const r = await connectOnce(url, roomId, token);
    if ('socket' in r) {
      roomNodes.set(roomId, url);
      const t1 = performance.now();
      const ack = await request<{ peerId: string }>(r.socket, 'join', {});
      const t2 = performance.now();
      return { socket: r.socket, peerId: ack.peerId, timing: { connectMs: t1 - t0, joinMs: t2 - t1, totalMs: t2 - t0, redirects } };
    }
    if (++redirects > 3) throw new Error(`room ${roomId}: more than 3 WRONG_NODE answers`);
    url = r.wrongNode;
    roomNodes.set(roomId, url);
  }
}

/** A request with its acknowledgement; rejects on `{ ok: false }` unless `anyAnswer`. */
export function request<T>(socket: Socket, name: string, data: unknown, anyAnswer = false, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.emit(name, data, (ack: { ok: boolean; data?: T; error?: { code: string; message: string } }) => {
      clearTimeout(timer);
      if (ack.ok || anyAnswer) resolve(ack.data as T);
      else reject(new Error(`${name}: ${ack.error?.code} ${ack.error?.message}`));
    });
  });
}

/** Runs `tasks` with at most `limit` in flight; answers the results in order (errors as Error). */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<Array<T | Error>> {
  const out: Array<T | Error> = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return out;
}
