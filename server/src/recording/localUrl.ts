import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** This server's own listen address as a URL (a wildcard host becomes loopback). */
export function localUrl(server: http.Server, host: string): string {
  const address = server.address() as AddressInfo | null;
  const h = host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${address?.port ?? 0}`;
}
