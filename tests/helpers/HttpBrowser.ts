import { CookieJar } from './CookieJar.js';

export interface Hop {
  url: string;
  status: number;
  location?: string;
}

/**
 * A browser made of fetch for the sign-in tests: a cookie jar, redirects followed one hop at a
 * time (so that a test can stop before a hop and tamper with it), 303 turning a POST into a GET.
 */
export class HttpBrowser {
  readonly jar = new CookieJar();
  /** Sent with every request (e.g. `sec-fetch-site`). */
  headers: Record<string, string> = {};

  /** One request, cookies sent and stored, redirects not followed. */
  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = this.jar.header(url);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: { ...this.headers, ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(cookie ? { cookie } : {}), ...init.headers },
    });
    this.jar.store(url, response.headers);
    return response;
  }

  /**
   * Requests `url` then follows redirects while `until` (given each next URL) says not to stop;
   * returns the last response, the URL it answered, and the hops.
   */
  async follow(
    url: string,
    options: { method?: string; body?: string; headers?: Record<string, string>; until?: (next: URL) => boolean; maxHops?: number } = {},
  ): Promise<{ url: string; response: Response; hops: Hop[] }> {
    const hops: Hop[] = [];
    let current = url;
    let init: { method?: string; body?: string; headers?: Record<string, string> } = { method: options.method, body: options.body, headers: options.headers };
    for (let i = 0; i < (options.maxHops ?? 20); i++) {
      const response = await this.request(current, init);
      const location = response.headers.get('location') ?? undefined;
      hops.push({ url: current, status: response.status, location });
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response, hops };
      const next = new URL(location, current);
      if (options.until?.(next)) return { url: current, response, hops };
      await response.arrayBuffer().catch(() => undefined);
      current = next.href;
      init = response.status === 307 || response.status === 308 ? init : {};
    }
    throw new Error(`too many redirects from ${url}: ${hops.map((h) => `${h.status} ${h.url}`).join(' → ')}`);
  }
}
