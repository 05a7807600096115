/**
 * The first bytes of a connection on the shared HTTP port (REACH-1, docs/spec/reachability.md):
 * an ICE-TCP connection starts with an RFC 4571 frame (2-byte length) holding a STUN binding
 * request (RFC 5389) whose USERNAME is "serverUfrag:clientUfrag". Only what routing needs is
 * read: the message type, the magic cookie and USERNAME; the worker checks the rest (integrity).
 */
export const STUN_FRAME_LIMITS = {
  /** Largest first frame accepted (a binding request is about 100 bytes). */
  maxFrameBytes: 1_024,
  /** STUN header. */
  headerBytes: 20,
} as const;

const BINDING_REQUEST = 0x0001;
const MAGIC_COOKIE = 0x2112a442;
const USERNAME = 0x0006;
/** ICE ufrags are ice-chars (RFC 8839): ALPHA / DIGIT / "+" / "/", 4 to 256 of them. */
const UFRAG = /^[A-Za-z0-9+/]{4,256}$/;

export type FirstFrame =
  | { kind: 'stun'; serverUfrag: string; frameBytes: number }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string };

/** Reads the first RFC 4571 frame of `buf`; `incomplete` while more bytes may make it whole. */
export function parseFirstFrame(buf: Buffer): FirstFrame {
  if (buf.length < 2) return { kind: 'incomplete' };
  const length = buf.readUInt16BE(0);
  if (length < STUN_FRAME_LIMITS.headerBytes || length > STUN_FRAME_LIMITS.maxFrameBytes) return { kind: 'invalid', reason: `frame of ${length} bytes` };
  // The header can be judged before the whole frame is there.
  if (buf.length >= 2 + 8) {
    if (buf.readUInt16BE(2) !== BINDING_REQUEST) return { kind: 'invalid', reason: 'not a STUN binding request' };
    if (buf.readUInt16BE(4) !== length - STUN_FRAME_LIMITS.headerBytes) return { kind: 'invalid', reason: 'STUN length does not match the frame' };
    if (buf.readUInt32BE(6) !== MAGIC_COOKIE) return { kind: 'invalid', reason: 'no STUN magic cookie' };
  }
  if (buf.length < 2 + length) return { kind: 'incomplete' };
  const message = buf.subarray(2, 2 + length);
  for (let at = STUN_FRAME_LIMITS.headerBytes; at + 4 <= message.length; ) {
    const type = message.readUInt16BE(at);
    const size = message.readUInt16BE(at + 2);
    if (at + 4 + size > message.length) return { kind: 'invalid', reason: 'truncated STUN attribute' };
    if (type === USERNAME) {
      const username = message.subarray(at + 4, at + 4 + size).toString('latin1');
      const serverUfrag = username.split(':', 1)[0];
      if (!UFRAG.test(serverUfrag)) return { kind: 'invalid', reason: 'malformed USERNAME' };
      return { kind: 'stun', serverUfrag, frameBytes: 2 + length };
    }
    at += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { kind: 'invalid', reason: 'no USERNAME' };
}

/** What a connection's first byte says it is, before any more is read. */
export function classifyFirstByte(byte: number): 'tls' | 'http' | 'other' {
  if (byte === 0x16) return 'tls'; // TLS handshake record (ClientHello)
  if (byte >= 0x41 && byte <= 0x5a) return 'http'; // an HTTP method starts with an upper-case letter
  return 'other';
}

/**
 * REACH-5: TURN over TCP sends STUN messages with no RFC 4571 framing: a binding (0x0001) or
 * allocate (0x0003) request with the magic cookie at offset 4. Needs 8 bytes.
 */
export function isTurnStart(buf: Buffer): boolean {
  if (buf.length < 8) return false;
  const type = buf.readUInt16BE(0);
  return (type === 0x0001 || type === 0x0003) && buf.readUInt32BE(4) === MAGIC_COOKIE;
}
