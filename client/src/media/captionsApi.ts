import { CAPTIONS_CONTENT_TYPES, captionsSavedSchema, noContentSchema, type CaptionsFormat, type CaptionsSaved } from '@nomades/shared';
import { apiRequest } from './apiRequest';

const captionsPath = (recordingId: string) => `/api/recordings/${encodeURIComponent(recordingId)}/captions`;

/**
 * CAP-1: puts a recording's captions with a host's room token: the editor's WebVTT, or a file
 * chosen by the agent (WebVTT or SRT, by its name). CAPTIONS_INVALID `{ reason, … }` when refused.
 */
export function putCaptions(recordingId: string, roomToken: string, data: Blob | string, format: CaptionsFormat): Promise<CaptionsSaved> {
  return apiRequest(captionsPath(recordingId), captionsSavedSchema, { method: 'PUT', bearer: roomToken, file: { data, type: CAPTIONS_CONTENT_TYPES[format] } });
}

/** CAP-1: removes a recording's captions. */
export async function deleteCaptions(recordingId: string, roomToken: string): Promise<void> {
  await apiRequest(captionsPath(recordingId), noContentSchema, { method: 'DELETE', bearer: roomToken });
}

/** The format of a chosen file, by its name (`.srt`: SRT; anything else is sent as WebVTT, which the server checks). */
export function captionsFormatOf(fileName: string): CaptionsFormat {
  return /\.srt$/i.test(fileName) ? 'srt' : 'vtt';
}
