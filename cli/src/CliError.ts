/**
 * Exit codes of `nomades` (cli/README.md):
 *   0 done; 1 usage or configuration (bad option, no URL or key, a body the schemas refuse);
 *   2 the server refused (its error code and message are printed); 3 the server could not be
 *   reached, or answered something the schemas do not describe.
 */
export const EXIT = { ok: 0, usage: 1, refused: 2, unreachable: 3 } as const;

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    /** The server's error code, when it refused. */
    readonly code?: string,
  ) {
    super(message);
  }
}
