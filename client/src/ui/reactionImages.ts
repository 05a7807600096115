import type { ReactionEmoji } from '@nomades/shared';
import thumbsUp from '@twemoji/svg/1f44d.svg?url';
import clap from '@twemoji/svg/1f44f.svg?url';
import laugh from '@twemoji/svg/1f602.svg?url';
import heart from '@twemoji/svg/2764.svg?url';
import party from '@twemoji/svg/1f389.svg?url';
import wow from '@twemoji/svg/1f62e.svg?url';

/**
 * Reactions are drawn from Twemoji's SVGs (CC-BY 4.0, bundled: no font needed), never as text:
 * a machine without an emoji font (Debian's Chromium) would show a missing-glyph box.
 */
export const REACTION_IMAGES: Record<ReactionEmoji, { url: string; name: 'thumbsUp' | 'clap' | 'laugh' | 'heart' | 'party' | 'wow' }> = {
  '👍': { url: thumbsUp, name: 'thumbsUp' },
  '👏': { url: clap, name: 'clap' },
  '😂': { url: laugh, name: 'laugh' },
  '❤️': { url: heart, name: 'heart' },
  '🎉': { url: party, name: 'party' },
  '😮': { url: wow, name: 'wow' },
};
