import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './CliError.js';

export interface CliConfig {
  url: string;
  adminKey: string;
}

const fileSchema = z.object({ url: z.string().url().optional(), adminKey: z.string().min(1).optional() }).strict();

/** `NOMADES_CONFIG`, else `$XDG_CONFIG_HOME/nomades/config.json` (`~/.config/nomades/config.json`). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NOMADES_CONFIG) return env.NOMADES_CONFIG;
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'nomades', 'config.json');
}

/**
 * Where the server is and its admin key: `NOMADES_URL` and `ADMIN_KEY` from the environment, else
 * the config file `{ "url", "adminKey" }`, which must be private (mode 600: it holds the key), as
 * ssh requires of its keys. The key is never taken from the command line (it would show in `ps`).
 */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env, urlOption?: string): CliConfig {
  const file = configPath(env);
  let fromFile: z.infer<typeof fileSchema> = {};
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) throw new CliError(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 ${file}`, EXIT.usage);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`${file}: not JSON (${(error as Error).message})`, EXIT.usage);
    }
    const checked = fileSchema.safeParse(parsed);
    if (!checked.success) throw new CliError(`${file}: ${checked.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`, EXIT.usage);
    fromFile = checked.data;
  }
  const url = urlOption ?? env.NOMADES_URL ?? fromFile.url;
  const adminKey = env.ADMIN_KEY ?? fromFile.adminKey;
  if (!url) throw new CliError(`no server: set NOMADES_URL (e.g. http://127.0.0.1:3000) or "url" in ${file}`, EXIT.usage);
  if (!/^https?:\/\//.test(url)) throw new CliError(`NOMADES_URL must be an http(s) URL: ${url}`, EXIT.usage);
  if (!adminKey) throw new CliError(`no admin key: set ADMIN_KEY or "adminKey" in ${file} (the server prints where its generated key is kept)`, EXIT.usage);
  return { url: url.replace(/\/+$/, ''), adminKey };
}
