/**
 * The room token of a join link (`?token=`), taken out of the address bar at load (SEC-9): it
 * must not stay in the history, in screenshots or in the Referer of a later navigation. It is kept
 * in this tab's sessionStorage so that a reload of the same tab still joins; other tabs and a
 * closed browser do not see it.
 */
export function takeRoomToken(roomId: string): string | null {
  const key = `nomades.token.${roomId}`;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(key, fromUrl);
    } catch {
      // Storage refused (private mode, quota): the token still works for this page's life.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
