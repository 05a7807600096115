import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The browser-side protections of every response (SEC-9 in docs/security.md), with helmet:
 * a Content-Security-Policy that lets the page load only its own scripts and connect only to its
 * own origin (signaling, /collab, the API), no framing (`frame-ancestors 'none'`, X-Frame-Options
 * DENY, against click-jacking of the moderation buttons), `nosniff`, `Referrer-Policy: no-referrer`
 * (a join link never leaks through the Referer), and a Permissions-Policy that keeps camera,
 * microphone and screen capture to this origin.
 *
 * `'wasm-unsafe-eval'` lets the page compile WebAssembly it loaded from its own origin (the noise
 * suppression's RNNoise in an AudioWorklet, the background effects' segmentation model); it allows
 * no JavaScript eval. Workers from this origin only.
 * Inline styles are allowed (React and tldraw set `style` attributes); inline scripts are not.
 * `upgrade-insecure-requests` is left out: an intranet may serve plain HTTP on localhost or behind a
 * TLS-terminating proxy, where it would break every request.
 */
export function securityHeaders(options: { otherOrigins?: () => string[]; formActionOrigins?: string[] } = {}): RequestHandler[] {
  // NODE-3: with several nodes the page talks to the room's node, maybe another origin (http and ws).
  const otherNodes = () => (options.otherOrigins?.() ?? []).flatMap((o) => [o, o.replace(/^http/, 'ws')]).join(' ');
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          // WebAssembly compiled from the page's own files (RNNoise, person segmentation), no eval.
          scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'data:', 'blob:', ...(options.otherOrigins ? [() => otherNodes()] : [])],
          mediaSrc: ["'self'", 'blob:'],
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          // AUTH-11: the logout form's answer sends the browser on to the OpenID provider.
          formAction: ["'self'", ...(options.formActionOrigins ?? [])],
          frameAncestors: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // Only meaningful over HTTPS; browsers ignore it on plain HTTP.
      strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
    }),
    (_req, res, next) => {
      res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()');
      next();
    },
  ];
}
