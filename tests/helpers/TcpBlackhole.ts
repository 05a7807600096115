import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a server, for cutting a connection without closing it
 * (a cable pulled, a laptop lid shut): after cut(), bytes are dropped both ways and neither side's
 * FIN or RST is passed on, so the server only learns of the loss from its own heartbeats.
 * While cut, a new connection is closed at once (no route); after restore(), new connections
 * pass again, and the ones cut stay dead (as after a network change). cut('toClient') drops only
 * what the server sends (a request gets through, its answer is lost).
 */
export class TcpBlackhole {
  readonly #server: net.Server;
  readonly #pairs: Array<{ client: net.Socket; upstream: net.Socket; toClient: boolean; toServer: boolean }> = [];
  #cut = false;

  private constructor(target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      if (this.#cut) return void client.destroy();
      const upstream = net.connect(target.port, target.host);
      // true: that direction is cut.
      const pair = { client, upstream, toClient: false, toServer: false };
      const cut = () => pair.toClient || pair.toServer;
      this.#pairs.push(pair);
      client.on('data', (chunk) => void (pair.toServer || upstream.write(chunk)));
      upstream.on('data', (chunk) => void (pair.toClient || client.write(chunk)));
      client.on('end', () => void (cut() || upstream.end()));
      upstream.on('end', () => void (cut() || client.end()));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => void (cut() || client.destroy()));
      client.on('close', () => void (cut() || upstream.destroy()));
    });
  }

  /** Starts a relay to `targetUrl` (http://host:port); `url` is the relay's address in the same form. */
  static async start(targetUrl: string): Promise<TcpBlackhole & { url: string }> {
    const target = new URL(targetUrl);
    const hole = new TcpBlackhole({ host: target.hostname, port: Number(target.port) });
    await new Promise<void>((resolve) => hole.#server.listen(0, '127.0.0.1', resolve));
    return Object.assign(hole, { url: `http://127.0.0.1:${(hole.#server.address() as AddressInfo).port}` });
  }

  /**
   * From now on nothing crosses, not even a close: both sides' sockets stay open until close().
   * `toClient`: only the server's bytes are dropped, on the connections open now.
   */
  cut(direction: 'both' | 'toClient' = 'both'): void {
    if (direction === 'both') this.#cut = true;
    for (const pair of this.#pairs) {
      pair.toClient = true;
      if (direction === 'both') pair.toServer = true;
    }
  }

  /** New connections pass again; the connections cut before stay cut. */
  restore(): void {
    this.#cut = false;
  }

  close(): void {
    this.#server.close();
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
  }
}
