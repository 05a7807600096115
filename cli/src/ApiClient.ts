import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ZodTypeAny, z } from 'zod';
import { errorPayloadSchema } from '@nomades/shared';
import { CliError, EXIT } from './CliError.js';
import type { CliConfig } from './cliConfig.js';

/**
 * The admin API as the CLI calls it: bodies are checked with shared/'s schemas before they are
 * sent (a usage error, exit 1), answers after (exit 3 when the server says something the schemas
 * do not describe), refusals become the server's code and message (exit 2).
 */
export class ApiClient {
  readonly #config: CliConfig;

  constructor(config: CliConfig) {
    this.#config = config;
  }

  /** A JSON call; `answer` undefined: a 204 is expected. */
  async call<A extends ZodTypeAny>(method: string, path: string, options: { body?: unknown; bodySchema?: ZodTypeAny; answer?: A } = {}): Promise<z.infer<A>> {
    let body = options.body;
    if (options.bodySchema) {
      const checked = options.bodySchema.safeParse(body ?? {});
      if (!checked.success) {
        throw new CliError(`invalid options: ${checked.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`, EXIT.usage);
      }
      body = checked.data;
    }
    const res = await this.#fetch(method, path, body);
    const text = await res.text();
    if (!res.ok) throw this.#refusal(method, path, res.status, text);
    if (!options.answer) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${path}: the server answered ${res.status} with no JSON`, EXIT.unreachable);
    }
    const parsed = options.answer.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(`${method} ${path}: unexpected answer (${issue?.path.join('.')}: ${issue?.message}); is the server of another version?`, EXIT.unreachable);
    }
    return parsed.data;
  }

  /** Streams an answer's body to a file (e.g. a recording's MP4); returns the bytes written. */
  async download(path: string, file: string): Promise<number> {
    const res = await this.#fetch('GET', path);
    if (!res.ok || !res.body) throw this.#refusal('GET', path, res.status, await res.text());
    const partial = `${file}.part`;
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(partial, { mode: 0o600 }));
    fs.renameSync(partial, file);
    return fs.statSync(file).size;
  }

  async #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.#config.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#config.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach ${this.#config.url}: ${why}`, EXIT.unreachable);
    }
  }

  #refusal(method: string, path: string, status: number, text: string): CliError {
    let payload: z.infer<typeof errorPayloadSchema> | undefined;
    try {
      const parsed = errorPayloadSchema.safeParse((JSON.parse(text) as { error?: unknown }).error);
      if (parsed.success) payload = parsed.data;
    } catch {
      // not JSON: said below
    }
    if (!payload) return new CliError(`${method} ${path}: HTTP ${status} ${text.slice(0, 200)}`, EXIT.refused);
    const params = payload.params ? ` ${JSON.stringify(payload.params)}` : '';
    return new CliError(`${payload.code}: ${payload.message}${params} (HTTP ${status}, ${method} ${path})`, EXIT.refused, payload.code);
  }
}
