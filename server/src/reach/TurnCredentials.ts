import crypto from 'node:crypto';

/** One entry of RTCConfiguration.iceServers, as sent in the join answer (REACH-4). */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/**
 * REACH-4: short-lived TURN credentials in coturn's `use-auth-secret` scheme (the "TURN REST
 * API"): the username is `<expiry unix seconds>:<label>`, the password the base64 HMAC-SHA1 of
 * the username under the shared secret. coturn refuses them after the expiry, so a leaked
 * credential is worth one meeting at most; a rejoin gets fresh ones.
 */
export class TurnCredentials {
  readonly #urls: string[];
  readonly #secret: string;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(options: { urls: string[]; secret: string; ttlSeconds: number; now?: () => number }) {
    if (!options.urls.length) throw new Error('TurnCredentials: no TURN URL');
    this.#urls = options.urls;
    this.#secret = options.secret;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  /** The iceServers entry for a participant (`label`: its peer id, which shows in coturn's logs). */
  issue(label: string): IceServer {
    const expiry = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    const username = `${expiry}:${label.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64)}`;
    const credential = crypto.createHmac('sha1', this.#secret).update(username).digest('base64');
    return { urls: [...this.#urls], username, credential };
  }
}
