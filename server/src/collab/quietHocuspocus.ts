/**
 * Hocuspocus (3.4 and 4.x) writes `console.error("closing connection … because of exception", e)` for every
 * message a `beforeHandleMessage` hook refuses, whatever `quiet` says. Our refusals (COL-5…8,
 * COL-15: a `{ code, reason }` with an application close code) are already logged once, at warn,
 * with room and peer (CollabServer); printing them again would let one hostile client fill the
 * logs. This filter drops exactly those lines and passes everything else through. Installed once
 * per process; idempotent.
 */
let installed = false;

export function quietHocuspocusRefusals(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    const [first, second] = args;
    if (
      typeof first === 'string' &&
      first.startsWith('closing connection ') &&
      first.endsWith('because of exception') &&
      typeof second === 'object' &&
      second !== null &&
      !(second instanceof Error) &&
      typeof (second as { code?: unknown }).code === 'number' &&
      (second as { code: number }).code >= 4000 &&
      (second as { code: number }).code < 5000
    ) {
      return;
    }
    original(...args);
  };
}
