import { Redis } from 'ioredis';
import { z } from 'zod';
import { LIMITS } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { createClusterRedis } from './clusterRedis.js';

/** What one node tells the others: sessions ended (AUTH-11/12), by their `sid`. */
const messageSchema = z
  .object({
    from: z.string().min(1).max(200),
    sids: z.array(z.string().min(1).max(LIMITS.maxIdLength)).min(1).max(1000),
  })
  .strict();

export interface SessionEndRelayOptions {
  redisUrl: string;
  nodeId: string;
  /** The cluster's key prefix (NodeDirectory's): several services may share one Redis. */
  prefix: string;
  log: Logger;
  /** Sessions another node saw end: end what they opened here. */
  onEnded: (sids: readonly string[]) => void;
}

/**
 * AUTH-11/12 on several nodes: a logout reaches one node, the meetings it must end may run on
 * others. Each node publishes the sessions it saw end on one Redis channel and ends, on the
 * others' messages, what those sessions opened on it. Best effort: a message sent while Redis is
 * away is lost (the tokens then live until their expiry), and logged.
 */
export class SessionEndRelay {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  readonly #options: SessionEndRelayOptions;
  #closed = false;

  private constructor(pub: Redis, sub: Redis, options: SessionEndRelayOptions) {
    this.#pub = pub;
    this.#sub = sub;
    this.#options = options;
    this.#channel = `${options.prefix}sessions-ended`;
  }

  static async start(options: SessionEndRelayOptions): Promise<SessionEndRelay> {
    const pub = createClusterRedis(options.redisUrl, { maxReconnectDelayMs: 2_000, commandTimeoutMs: 2_000 });
    // The subscriber subscribes again by itself after a reconnection.
    const sub = new Redis(options.redisUrl, { lazyConnect: true, autoResubscribe: true, maxRetriesPerRequest: 0, retryStrategy: (n) => Math.min(50 * 2 ** Math.min(n, 10), 2_000) });
    const relay = new SessionEndRelay(pub, sub, options);
    for (const connection of [pub, sub]) connection.on('error', (error: Error) => options.log.debug({ err: error.message }, 'session end relay: Redis connection error'));
    try {
      await pub.connect();
      await sub.connect();
      await sub.subscribe(relay.#channel);
    } catch (error) {
      await relay.close();
      throw error;
    }
    sub.on('message', (channel: string, text: string) => relay.#receive(channel, text));
    return relay;
  }

  /** Tells the other nodes these sessions ended. */
  publish(sids: readonly string[]): void {
    if (this.#closed || sids.length === 0) return;
    for (let i = 0; i < sids.length; i += 1000) {
      const message = JSON.stringify({ from: this.#options.nodeId, sids: sids.slice(i, i + 1000) });
      this.#pub.publish(this.#channel, message).catch((error: Error) => this.#options.log.warn({ err: error.message, sessions: sids.length }, 'could not tell the other nodes that sessions ended'));
    }
  }

  #receive(channel: string, text: string): void {
    if (this.#closed || channel !== this.#channel) return;
    let parsed: z.infer<typeof messageSchema> | undefined;
    try {
      const result = messageSchema.safeParse(JSON.parse(text));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed) return void this.#options.log.warn('session end relay: a malformed message was ignored');
    if (parsed.from === this.#options.nodeId) return;
    try {
      this.#options.onEnded(parsed.sids);
    } catch (error) {
      this.#options.log.error({ err: error }, 'session end relay: ending the sessions failed');
    }
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pub, this.#sub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
