/**
 * The room token of a join link (`?token=`), taken out of the address bar at load (SEC-9): it
 * must not stay in the history, in screenshots or in the Referer of a later navigation. It is kept
 * in this tab's sessionStorage so that a reload of the same tab still joins; other tabs and a
 * closed browser do not see it.
 */
export function takeRoomToken(roomId: string): string | null {
  return takeParam('token', `nomades.token.${roomId}`);
}

function takeParam(param: string, key: string): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(param);
  if (fromUrl) {
    try {
      sessionStorage.setItem(key, fromUrl);
    } catch {
      // Storage refused (private mode, quota): the token still works for this page's life.
    }
    url.searchParams.delete(param);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The invitation of an invitation link (`?invite=`, INV-4), taken out of the address bar at load
 * like the token (SEC-9) and kept in this tab's sessionStorage for a reload.
 */
export function takeInvite(roomId: string): string | null {
  return takeParam('invite', `nomades.invite.${roomId}`);
}

/** Keeps the room token an invitation gave, so that a reload of this tab joins as the same person. */
export function rememberRoomToken(roomId: string, token: string): void {
  try {
    sessionStorage.setItem(`nomades.token.${roomId}`, token);
  } catch {
    // Storage refused: a reload asks the invitation again.
  }
}
