/** The page's localStorage, or null where it is missing or refused (private modes, sandboxed frames, Node tests). */
export function localStorageOrNull(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
