import { io, type Socket } from 'socket.io-client';
import type { Ack, RequestName, RequestData, ResponseData, ErrorPayload } from '@nomades/shared';

export class RequestError extends Error {
  constructor(readonly error: ErrorPayload) {
    super(`${error.code}: ${error.message}`);
  }
}

/** Connects a socket.io client the way the web client does; rejects with the refusal's data. */
export function connectSocket(url: string, auth: Record<string, unknown> | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth, transports: ['websocket'], reconnection: false, timeout: 5000 });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: ErrorPayload }) => {
      socket.close();
      reject(err.data ? new RequestError(err.data) : err);
    });
  });
}

/** Sends a typed request; resolves with its data or rejects with RequestError. */
export function request<N extends RequestName>(socket: Socket, name: N, data: RequestData<N>, timeoutMs = 10_000): Promise<ResponseData<N>> {
  return rawRequest(socket, name, data, timeoutMs).then((ack) => {
    const a = ack as Ack<N>;
    if (a.ok) return a.data;
    throw new RequestError(a.error);
  });
}

/** Emits anything (for hostile-input tests) and resolves with the raw acknowledgement. */
export function rawRequest(socket: Socket, name: string, data: unknown, timeoutMs = 10_000): Promise<unknown> {
  return socket.timeout(timeoutMs).emitWithAck(name, data);
}

/**
 * An ordering barrier: a request the server refuses without side effects (any answer will do).
 * Once it is answered, every notification the server sent this socket before has arrived (one
 * ordered connection): check for an absent notification after it, not after a sleep.
 */
export async function roundTrip(socket: Socket): Promise<void> {
  await rawRequest(socket, 'pauseConsumer', { consumerId: 'ordering-barrier' });
}
