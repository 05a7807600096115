import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a server, for cutting a connection without closing it
 * (a cable pulled, a laptop lid shut): after cut(), bytes are dropped both ways and neither side's
 * FIN or RST is passed on, so the server only learns of the loss from its own heartbeats.
 */
export class TcpBlackhole {
  readonly #server: net.Server;
  readonly #pairs: Array<{ client: net.Socket; upstream: net.Socket }> = [];
  #cut = false;

  private constructor(target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      const pair = { client, upstream };
      this.#pairs.push(pair);
      client.on('data', (chunk) => void (this.#cut || upstream.write(chunk)));
      upstream.on('data', (chunk) => void (this.#cut || client.write(chunk)));
      client.on('end', () => void (this.#cut || upstream.end()));
      upstream.on('end', () => void (this.#cut || client.end()));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => void (this.#cut || client.destroy()));
      client.on('close', () => void (this.#cut || upstream.destroy()));
    });
  }

  /** Starts a relay to `targetUrl` (http://host:port); `url` is the relay's address in the same form. */
  static async start(targetUrl: string): Promise<TcpBlackhole & { url: string }> {
    const target = new URL(targetUrl);
    const hole = new TcpBlackhole({ host: target.hostname, port: Number(target.port) });
    await new Promise<void>((resolve) => hole.#server.listen(0, '127.0.0.1', resolve));
    return Object.assign(hole, { url: `http://127.0.0.1:${(hole.#server.address() as AddressInfo).port}` });
  }

  /** From now on nothing crosses, not even a close: both sides' sockets stay open until close(). */
  cut(): void {
    this.#cut = true;
  }

  close(): void {
    this.#server.close();
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
  }
}
