import crypto from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { FaultLog } from '../health/FaultLog.js';
import type { Logger } from '../logging/logger.js';

/** A TLS handshake not done by then is dropped (Node's default is 2 minutes). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** How long file changes settle before a reload (a renewal writes key and certificate in turn). */
export const TLS_RELOAD_SETTLE_MS = 500;

export interface TlsEndpointOptions {
  certFile: string;
  keyFile: string;
  log: Logger;
  faults?: FaultLog;
}

/**
 * REACH-6: HTTPS on the shared port. PortMux hands it the connections that start with a
 * ClientHello (accept()); once the handshake is done, the decrypted socket goes to the HTTP
 * server. Handshakes are bounded (TLS_HANDSHAKE_TIMEOUT_MS) and ended by close(), so that a
 * shutdown never waits for one.
 * The certificate and key are read at start (an error stops the start) and again whenever either
 * file changes (renewals by certbot or the city's PKI, no restart); a pair that does not load is
 * refused, logged and counted in /healthz, and the previous one stays in use.
 */
export class TlsEndpoint {
  #context: tls.SecureContext;
  readonly #handshaking = new Set<tls.TLSSocket>();
  readonly #options: TlsEndpointOptions;
  readonly #log: Logger;
  readonly #watchers: fs.FSWatcher[] = [];
  #timer?: NodeJS.Timeout;
  #fingerprint: string;
  #reloads = 0;
  #closed = false;

  constructor(options: TlsEndpointOptions) {
    this.#options = options;
    this.#log = options.log.child({ name: 'tls' });
    const loaded = TlsEndpoint.#load(options);
    this.#context = loaded.context;
    this.#fingerprint = loaded.fingerprint;
    // Watch the folders: a renewal often replaces the files (rename), which a file watch misses.
    for (const dir of new Set([path.dirname(options.certFile), path.dirname(options.keyFile)])) {
      const names = new Set([path.basename(options.certFile), path.basename(options.keyFile)]);
      const watcher = fs.watch(dir, (_event, name) => {
        if (!name || names.has(String(name))) this.#scheduleReload();
      });
      watcher.on('error', (error) => options.faults?.record('tls.watch', error));
      this.#watchers.push(watcher);
    }
  }

  /** Runs the TLS handshake on `raw` (its first bytes may be buffered in it); `onSecure` gets the decrypted socket. */
  accept(raw: net.Socket, onSecure: (socket: tls.TLSSocket) => void): void {
    if (this.#closed) return void raw.destroy();
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: this.#context, ALPNProtocols: ['http/1.1'] });
    this.#handshaking.add(socket);
    const timer = setTimeout(() => socket.destroy(), TLS_HANDSHAKE_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      this.#handshaking.delete(socket);
    };
    socket.once('close', done);
    socket.on('error', (err) => {
      this.#log.debug({ err: err.message }, 'TLS connection error');
      socket.destroy();
    });
    socket.once('secure', () => {
      done();
      onSecure(socket);
    });
  }

  /** SHA-256 fingerprint of the certificate in use. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  /** Certificates loaded since start. */
  get reloads(): number {
    return this.#reloads;
  }

  #scheduleReload(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.reload(), TLS_RELOAD_SETTLE_MS);
    this.#timer.unref();
  }

  /** Loads the files again; keeps the current pair if they do not load. Returns whether it changed. */
  reload(): boolean {
    try {
      const { context, fingerprint } = TlsEndpoint.#load(this.#options);
      if (fingerprint === this.#fingerprint) return false;
      this.#context = context;
      this.#fingerprint = fingerprint;
      this.#reloads += 1;
      this.#log.info({ fingerprint }, 'TLS certificate reloaded');
      return true;
    } catch (error) {
      this.#options.faults?.record('tls.reload', error, { certFile: this.#options.certFile });
      return false;
    }
  }

  /** Stops watching the files, ends the handshakes under way, refuses new ones. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const s of this.#handshaking) s.destroy();
    this.#handshaking.clear();
    clearTimeout(this.#timer);
    for (const w of this.#watchers.splice(0)) w.close();
  }

  /** Reads the pair once: its secure context and the certificate's fingerprint. */
  static #load(options: TlsEndpointOptions): { context: tls.SecureContext; fingerprint: string } {
    const cert = fs.readFileSync(options.certFile);
    const key = fs.readFileSync(options.keyFile);
    // Fails here, with a clear message, on a file that is not PEM or a key that does not match.
    try {
      const x509 = new crypto.X509Certificate(cert);
      if (!x509.checkPrivateKey(crypto.createPrivateKey(key))) throw new Error('the key is not the certificate\'s');
      return { context: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' }), fingerprint: x509.fingerprint256 };
    } catch (error) {
      throw new Error(`TLS_CERT ${options.certFile} and TLS_KEY ${options.keyFile} do not make a usable pair: ${(error as Error).message}`);
    }
  }
}
