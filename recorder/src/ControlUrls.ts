/**
 * REC-8: the server URLs a recorder may send its key to (RECORDER_CONTROL_URL). A job's control
 * URL is compared with them by origin and path (`http://h:1/` and `http://h:1` are one), so a job
 * that names any other address is refused before anything is sent there.
 */
export class ControlUrls {
  readonly #allowed: ReadonlySet<string>;

  constructor(urls: readonly string[]) {
    this.#allowed = new Set(urls.map((u) => ControlUrls.normalize(u)).filter((u): u is string => u !== undefined));
  }

  static normalize(url: string): string | undefined {
    try {
      const u = new URL(url);
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return undefined;
      return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return undefined;
    }
  }

  allows(url: string): boolean {
    const n = ControlUrls.normalize(url);
    return n !== undefined && this.#allowed.has(n);
  }
}
