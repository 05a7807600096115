import type { z } from 'zod';
import { AppError } from '@nomades/shared';

/** Parses a request body against a schema from shared/, or throws BAD_REQUEST naming the field. */
export function validateBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError('BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}
