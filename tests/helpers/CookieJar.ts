interface Cookie {
  value: string;
  path: string;
}

/**
 * A small cookie jar for fetch-based tests: cookies per host (ports ignored, as browsers do), with
 * their path; Max-Age=0 or a past Expires deletes. Enough for the sign-in round trips.
 */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, Cookie>>();

  /** Stores the response's Set-Cookie headers for `url`. */
  store(url: string, headers: Headers): void {
    const { hostname } = new URL(url);
    const cookies = this.#byHost.get(hostname) ?? new Map<string, Cookie>();
    this.#byHost.set(hostname, cookies);
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val || '/';
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(val) < Date.now()) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) cookies.delete(key);
      else cookies.set(key, { value, path });
    }
  }

  /** The Cookie header for a request to `url`. */
  header(url: string): string {
    const { hostname, pathname } = new URL(url);
    const cookies = this.#byHost.get(hostname) ?? new Map<string, Cookie>();
    return [...cookies]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([key, c]) => `${key.slice(0, key.lastIndexOf(';'))}=${c.value}`)
      .join('; ');
  }

  /** A cookie's value for a host (any path). */
  get(host: string, name: string): string | undefined {
    for (const [key, c] of this.#byHost.get(host) ?? []) if (key.slice(0, key.lastIndexOf(';')) === name) return c.value;
    return undefined;
  }

  set(host: string, name: string, value: string, path = '/'): void {
    const cookies = this.#byHost.get(host) ?? new Map<string, Cookie>();
    this.#byHost.set(host, cookies);
    cookies.set(`${name};${path}`, { value, path });
  }

  delete(host: string, name: string): void {
    for (const key of [...(this.#byHost.get(host)?.keys() ?? [])]) if (key.slice(0, key.lastIndexOf(';')) === name) this.#byHost.get(host)!.delete(key);
  }
}
