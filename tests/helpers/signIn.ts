import { HttpBrowser } from './HttpBrowser.js';

export interface SignInResult {
  browser: HttpBrowser;
  /** The value of the server's session cookie (`nomades_session`). */
  sessionCookie: string;
  /** A Cookie header that carries it. */
  cookieHeader: string;
  /** Where the server sent the browser at the end (returnTo). */
  landedAt: string;
}

export interface SignInOptions {
  /** An account of TEST_ACCOUNTS (tests/helpers/OidcProvider.ts). */
  account: string;
  /** The acr the login reaches (`eidas1`: password only; `eidas2`: with a code). */
  acr?: string;
  returnTo?: string;
  /** Another browser's jar (e.g. to sign in again in the same browser). */
  browser?: HttpBrowser;
}

/**
 * Begins a login at the server and logs in at the provider (or not, when the provider's session
 * is still there), stopping before the provider's redirect to the server: returns that callback
 * URL (for tests that tamper with it or replay it). `authorize` may rewrite the authorization URL.
 */
export async function callbackUrl(
  serverUrl: string,
  options: SignInOptions & { authorize?: (url: URL) => URL },
): Promise<{ browser: HttpBrowser; callback: URL; authorization: URL }> {
  const browser = options.browser ?? new HttpBrowser();
  const started = await browser.request(`${serverUrl}/auth/login?returnTo=${encodeURIComponent(options.returnTo ?? '/')}`);
  const location = started.headers.get('location');
  if (started.status !== 303 || !location) throw new Error(`no authorization URL (${started.status})`);
  const authorization = new URL(location, serverUrl);
  if (authorization.origin === new URL(serverUrl).origin) throw new Error(`the login did not start: ${location}`);
  return { browser, authorization, callback: await loginAt(browser, (options.authorize ?? ((u) => u))(authorization), options) };
}

/**
 * From an authorization URL: the provider's login page when it shows one (account, acr), and the
 * redirect back to the relying party it answers with (not followed).
 */
export async function loginAt(browser: HttpBrowser, authorization: URL, options: { account: string; acr?: string }): Promise<URL> {
  const provider = authorization.origin;
  let hop = await browser.follow(authorization.href, { until: (next) => next.origin !== provider || next.pathname.startsWith('/interaction/') });
  let next = new URL(hop.response.headers.get('location') ?? hop.url, hop.url);
  if (next.origin === provider && next.pathname.startsWith('/interaction/')) {
    await (await browser.request(next.href)).text();
    hop = await browser.follow(`${next.origin}${next.pathname}/login`, {
      method: 'POST',
      body: new URLSearchParams({ account: options.account, acr: options.acr ?? 'eidas1' }).toString(),
      until: (url) => url.origin !== provider,
    });
    next = new URL(hop.response.headers.get('location') ?? hop.url, hop.url);
  }
  if (next.origin === provider) throw new Error(`the provider did not send the browser back (${hop.response.status} ${hop.url})`);
  return next;
}

/**
 * Signs in to a nomades server through its real OpenID provider, with fetch: GET /auth/login, the
 * provider's login page (our test page: account and acr), back to /auth/callback, then to
 * returnTo. Throws when no session cookie comes back (the error page's address in the message).
 */
export async function signIn(serverUrl: string, options: SignInOptions): Promise<SignInResult> {
  const { browser, callback } = await callbackUrl(serverUrl, options);
  const answer = await browser.request(callback.href);
  const landedAt = new URL(answer.headers.get('location') ?? callback.href, serverUrl).href;
  const host = new URL(serverUrl).hostname;
  const name = ['nomades_session', '__Host-nomades_session'].find((n) => answer.headers.getSetCookie().some((c) => c.startsWith(`${n}=`)));
  const sessionCookie = name ? browser.jar.get(host, name) : undefined;
  if (!name || !sessionCookie) throw new Error(`sign-in failed: sent to ${landedAt}`);
  return { browser, sessionCookie, cookieHeader: `${name}=${sessionCookie}`, landedAt };
}
