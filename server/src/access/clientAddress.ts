import type http from 'node:http';

/** Proxies trusted to say who the client is: the same as express's `trust proxy: loopback`. */
function trusted(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so that one client has one spelling. */
function normalize(address: string): string {
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

/**
 * The client's address of an HTTP request or WebSocket upgrade, as express computes `req.ip`
 * with `trust proxy: loopback`: the socket's address, or, when that is a loopback proxy, the
 * nearest untrusted entry of X-Forwarded-For. Used for the guest rules (ACCESS-6).
 */
export function clientAddress(req: Pick<http.IncomingMessage, 'headers' | 'socket'>): string | undefined {
  const remote = req.socket?.remoteAddress;
  if (!remote) return undefined;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  const chain = [normalize(remote), ...forwarded.reverse().map(normalize)];
  for (const address of chain) if (!trusted(address)) return address;
  return chain[chain.length - 1];
}
