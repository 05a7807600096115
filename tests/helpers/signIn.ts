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
 * Signs in to a nomades server through its real OpenID provider, with fetch: GET /auth/login, the
 * provider's login page (our test page: account and acr), back to /auth/callback, then to
 * returnTo. Throws when no session cookie comes back (the error page's code in the message).
 */
export async function signIn(serverUrl: string, options: SignInOptions): Promise<SignInResult> {
  const browser = options.browser ?? new HttpBrowser();
  const returnTo = options.returnTo ?? '/';
  const toLogin = await browser.follow(`${serverUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    until: (next) => next.pathname.startsWith('/interaction/'),
  });
  const loginPage = toLogin.response.headers.get('location');
  if (!loginPage) throw new Error(`sign-in: no login page (${toLogin.response.status} ${toLogin.url})`);
  const page = new URL(loginPage, toLogin.url);
  await (await browser.request(page.href)).text();
  const back = await browser.follow(`${page.origin}${page.pathname}/login`, {
    method: 'POST',
    body: new URLSearchParams({ account: options.account, acr: options.acr ?? 'eidas1' }).toString(),
    until: (next) => next.origin === new URL(serverUrl).origin && !next.pathname.startsWith('/auth/'),
  });
  const landedAt = new URL(back.response.headers.get('location') ?? back.url, back.url).href;
  const host = new URL(serverUrl).hostname;
  const sessionCookie = browser.jar.get(host, 'nomades_session') ?? browser.jar.get(host, '__Host-nomades_session');
  if (!sessionCookie) throw new Error(`sign-in failed: landed at ${landedAt}`);
  const name = browser.jar.get(host, 'nomades_session') ? 'nomades_session' : '__Host-nomades_session';
  return { browser, sessionCookie, cookieHeader: `${name}=${sessionCookie}`, landedAt };
}
