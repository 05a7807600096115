import { z } from 'zod';
import { COLLAB_LIMITS } from '@nomades/shared';

/**
 * Settings of the whiteboard and chat, from the environment (listed in the README):
 * - COLLAB_MAX_DOCUMENT_BYTES: ceiling of one room's document (default 16 MiB);
 * - TLDRAW_LICENSE_KEY: optional tldraw license key handed to the web client.
 */
const collabEnvSchema = z.object({
  COLLAB_MAX_DOCUMENT_BYTES: z.coerce.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(COLLAB_LIMITS.defaultMaxDocumentBytes),
  TLDRAW_LICENSE_KEY: z.string().max(4096).optional(),
});

export interface CollabConfig {
  maxDocumentBytes: number;
  tldrawLicenseKey?: string;
}

/** Throws an Error naming the invalid variable. */
export function loadCollabConfig(env: NodeJS.ProcessEnv = process.env): CollabConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in collabEnvSchema.shape && v !== undefined && v !== ''));
  const parsed = collabEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return { maxDocumentBytes: parsed.data.COLLAB_MAX_DOCUMENT_BYTES, tldrawLicenseKey: parsed.data.TLDRAW_LICENSE_KEY };
}
