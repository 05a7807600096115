import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from './ApiClient.js';
import { loadCliConfig } from './cliConfig.js';
import type { Output } from './output.js';

/** What every command gets: the API client (made on first use: `--help` needs no config) and the output mode. */
export interface CliContext {
  api(): ApiClient;
  out(): Output;
}

export function contextOf(program: Command): CliContext {
  let client: ApiClient | undefined;
  return {
    api: () => (client ??= new ApiClient(loadCliConfig(process.env, program.opts<{ url?: string }>().url))),
    out: () => ({ json: Boolean(program.opts<{ json?: boolean }>().json) }),
  };
}

export const integer = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
};

export const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Path segment of a user-given id. */
export const seg = (value: string): string => encodeURIComponent(value);
