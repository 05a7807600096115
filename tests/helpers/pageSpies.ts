import type { Page } from 'playwright-core';

/**
 * Init scripts and probes for browser tests of the web client (Playwright pages): keep the page's
 * RTCPeerConnections and WebSockets within reach, drop its signaling as a network fault would,
 * read its "meeting session: …" lines, set an operator's switch on <html>.
 */

/** Init script: every RTCPeerConnection in `window.__pcs`, every WebSocket in `window.__sockets`. */
export const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
  const NativeWs = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) { const ws = new NativeWs(...args); window.__sockets.push(ws); return ws; };
  window.WebSocket.prototype = NativeWs.prototype;
  Object.setPrototypeOf(window.WebSocket, NativeWs);
})();`;

/**
 * Init script: `data-<attribute>="<value>"` on <html> as soon as it is parsed, before the client's
 * (deferred) module runs: what the server writes for an operator's switch (NOISE_SUPPRESSION=off,
 * BACKGROUND_EFFECTS=off). Not a rewritten response (page.route): Chromium's local-network checks
 * then block the page's WebSocket.
 */
export function htmlAttributeScript(attribute: string, value: string): string {
  const key = attribute.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return `new MutationObserver((_, observer) => {
    if (!document.documentElement) return;
    document.documentElement.dataset[${JSON.stringify(key)}] = ${JSON.stringify(value)};
    observer.disconnect();
  }).observe(document, { childList: true });`;
}

/** The page's signaling WebSocket closed under it, as a network fault would: the client resumes (SIG-13). Needs KEEP_PEER_CONNECTIONS. */
export function dropSignaling(page: Page): Promise<number> {
  return page.evaluate(() => {
    const open = (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((ws) => ws.url.includes('/socket.io/') && ws.readyState === WebSocket.OPEN);
    for (const ws of open) ws.close();
    return open.length;
  });
}

/** The page's "meeting session: …" console lines (resumed, rejoined), collected from now on. */
export function sessionLog(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => m.text().startsWith('meeting session:') && lines.push(m.text()));
  return lines;
}

export interface SentTrack {
  label: string;
  enabled: boolean;
  /** A canvas's captureStream() track (Chromium's CanvasCaptureMediaStreamTrack): a processed camera. */
  canvas: boolean;
}

/** The tracks of `kind` the page's open peer connections send. Needs KEEP_PEER_CONNECTIONS. */
export function sentTracks(page: Page, kind: 'audio' | 'video'): Promise<SentTrack[]> {
  return page.evaluate(
    (k) =>
      ((window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [])
        .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
        .flatMap((s) => (s.track && s.track.kind === k ? [{ label: s.track.label, enabled: s.track.enabled, canvas: 'canvas' in s.track }] : [])),
    kind,
  );
}
