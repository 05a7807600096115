import type { ErrorPayload } from '../errors.js';
import type { RequestName, ResponseData } from './requests.js';

/** Every acknowledgement is either `{ ok: true, data }` or `{ ok: false, error }`. */
export type Ack<N extends RequestName> = { ok: true; data: ResponseData<N> } | { ok: false; error: ErrorPayload };

/** Fields of the socket.io handshake `auth` object. */
export interface HandshakeAuth {
  token: string;
  roomId: string;
}
