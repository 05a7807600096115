/**
 * REC-8: the environment of the recorder child process, built from an allow-list and never a
 * copy of the server's: what node, tsx and ffmpeg need to run, the recorder's own tuning
 * variables, and what the server hands it. ADMIN_KEY, TOKEN_SECRET, WEBHOOK_SECRET, TLS keys and
 * anything else the server was started with stay out.
 */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'FFMPEG_PATH', 'FFPROBE_PATH'] as const;
/** The recorder's own settings an operator may give `npm start` (recorder/README.md). */
const RECORDER_SETTINGS = ['RECORDER_MIN_PORT', 'RECORDER_MAX_PORT', 'RECORDER_CONCURRENCY', 'RECORDER_LOCK_MS', 'RECORDER_COMPOSE_STALL_S', 'RECORDER_MAX_SESSION_H', 'RECORDER_SEGMENT_S', 'RECORDER_COMPOSE_SLOTS'] as const;

export function recorderEnv(parent: NodeJS.ProcessEnv, given: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED, ...RECORDER_SETTINGS]) {
    const value = parent[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return { ...env, ...given };
}
