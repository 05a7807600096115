import fs from 'node:fs';

/** FILE-1 (docs/security.md, README): what the server writes is private to the service user. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and its missing parents) with mode 0700, and takes group and other rights off
 * it when it already existed (a DATA_DIR made by hand, an install from before FILE-1).
 */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/**
 * The process's umask becomes 077: every file and folder created from now on (SQLite's -wal and
 * -shm, redis and ffmpeg children, which inherit it) is private. Returns the previous umask.
 */
export function privateUmask(): number {
  return process.umask(0o077);
}
