import type { Logger } from '../logging/logger.js';
import type { FaultLog } from '../health/FaultLog.js';

/** Exit code of a controlled restart after an uncaught exception (EX_SOFTWARE). */
export const EXIT_UNCAUGHT = 70;

/**
 * What the process does with errors nobody caught (SEC-3 in docs/security.md).
 *
 * - `unhandledRejection`: a promise failed with nobody awaiting it. The operation it belonged to
 *   is lost, but nothing shared is half-changed by a rejection reaching here, so the process goes
 *   on: the error is logged with its stack and counted in `/healthz` (`process.unhandledRejection`).
 * - `uncaughtException`: a synchronous throw escaped an event handler, so some object may be in a
 *   state nobody planned. The process logs it, stops accepting, closes what it can within
 *   `graceMs`, and exits with EXIT_UNCAUGHT so that the service manager (systemd `Restart=`)
 *   starts a clean one. Outside input must never get here: every listener on the HTTP server,
 *   socket.io and /collab catches what it is given (SEC-1, SEC-2).
 */
export function installProcessPolicy(options: {
  log: Logger;
  faults?: () => FaultLog | undefined;
  /** Graceful stop on a fatal error (the same as SIGTERM's). */
  stop: (reason: string) => Promise<void>;
  graceMs?: number;
  exit?: (code: number) => void;
}): () => void {
  const log = options.log.child({ name: 'process' });
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let fatal = false;
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, 'unhandled promise rejection: the operation is lost, the process goes on');
    options.faults?.()?.record('process.unhandledRejection', reason);
  };
  const onException = (error: Error, origin: string) => {
    log.fatal({ err: error, origin }, 'uncaught exception: restarting in a controlled way');
    if (fatal) return;
    fatal = true;
    const force = setTimeout(() => exit(EXIT_UNCAUGHT), options.graceMs ?? 5_000);
    force.unref();
    options.stop('uncaughtException').finally(() => exit(EXIT_UNCAUGHT));
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
