import { z } from 'zod';

/**
 * CAP-7: the seam for automatic transcription. An engine reads a ready recording's composed file
 * and writes a first draft of its captions, which a host then corrects in the editor and puts
 * like any other file (CAP-1/2: the draft is checked as a file put by hand, never trusted more).
 *
 * None ships: no French speech model can be installed on the service's machines today, and a
 * fake one would only produce wrong captions. `CAPTIONS_DRAFT_ENGINE` names the engine; `none`
 * (the default) is the only value accepted until a real one is added here, with its own
 * configuration and a test on a real recording.
 */
export interface CaptionDraftEngine {
  /** The name `CAPTIONS_DRAFT_ENGINE` gives it. */
  readonly name: string;
  /**
   * A draft of the captions of `recordingFile` (the composed MP4, recordingLayout.composed), spoken
   * in `lang` (BCP 47, `fr` first), as a WebVTT file. Rejects when it cannot; `signal` cancels it.
   */
  draft(recordingFile: string, lang: string, signal?: AbortSignal): Promise<string>;
}

/** The engines `CAPTIONS_DRAFT_ENGINE` may name (add a real one's name here with its engine). */
export const CAPTION_DRAFT_ENGINES = ['none'] as const;

const captionsEnvSchema = z.object({
  CAPTIONS_DRAFT_ENGINE: z.enum(CAPTION_DRAFT_ENGINES).default('none'),
});

/** The engine `CAPTIONS_DRAFT_ENGINE` names, null for `none`; throws an Error naming the variable when it names no known engine. */
export function loadCaptionDraftEngine(env: NodeJS.ProcessEnv = process.env): CaptionDraftEngine | null {
  const value = env.CAPTIONS_DRAFT_ENGINE;
  const parsed = captionsEnvSchema.safeParse(value === undefined || value === '' ? {} : { CAPTIONS_DRAFT_ENGINE: value });
  if (!parsed.success) {
    throw new Error(`invalid configuration:\n  CAPTIONS_DRAFT_ENGINE: ${parsed.error.issues.map((i) => i.message).join('; ')} (accepted: ${CAPTION_DRAFT_ENGINES.join(', ')})`);
  }
  // `none` is the only engine today: no draft.
  return null;
}
