/** Access to the local camera and microphone. */
export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Human-readable reason when a wanted track could not be acquired. */
  error: string | null;
}

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

export function describeMediaError(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Permission to use the camera or microphone was denied.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera or microphone is in use by another application.';
    default:
      return error instanceof Error ? error.message : 'The camera or microphone cannot be used.';
  }
}

async function getTracks(audio: boolean, video: boolean): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This page cannot access the camera or microphone (it must be served over https).');
  }
  return navigator.mediaDevices.getUserMedia({ audio: audio && AUDIO, video: video && VIDEO });
}

/** Asks for the wanted tracks at once, then one by one if that fails, so one broken device does not block the other. */
export async function acquireTracks(want: { audio: boolean; video: boolean }): Promise<LocalTracks> {
  const result: LocalTracks = { audio: null, video: null, error: null };
  if (!want.audio && !want.video) return result;
  try {
    const stream = await getTracks(want.audio, want.video);
    result.audio = stream.getAudioTracks()[0] ?? null;
    result.video = stream.getVideoTracks()[0] ?? null;
    return result;
  } catch (error) {
    result.error = describeMediaError(error);
    if (!(want.audio && want.video)) return result;
  }
  for (const kind of ['audio', 'video'] as const) {
    try {
      const stream = await getTracks(kind === 'audio', kind === 'video');
      result[kind] = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
    } catch (error) {
      result.error = describeMediaError(error);
    }
  }
  return result;
}
