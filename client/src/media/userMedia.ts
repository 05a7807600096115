import { devicePreferences, type DeviceChoice } from './DevicePreferences';
import type { NoticeCode } from './Notice';

/**
 * Why a camera or microphone could not be used, as the notice the UI words with guidance
 * (permission denied, no device, device taken by another application, page not secure, other).
 */
export type MediaErrorCode = Extract<NoticeCode, 'mediaDenied' | 'mediaNotFound' | 'mediaInUse' | 'mediaInsecure' | 'mediaUnavailable'>;

/** Access to the local camera and microphone. */
export interface LocalTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Why a wanted track could not be acquired (the last failure), or null. */
  error: MediaErrorCode | null;
}

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

/** The code of a getUserMedia failure (DOMException names of the Media Capture spec). */
export function mediaErrorCode(error: unknown): MediaErrorCode {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'mediaDenied';
    case 'SecurityError':
      return globalThis.isSecureContext === false ? 'mediaInsecure' : 'mediaDenied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'mediaNotFound';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'mediaInUse';
    case 'InsecureContextError':
      return 'mediaInsecure';
    default:
      return 'mediaUnavailable';
  }
}

class InsecureContextError extends Error {
  override name = 'InsecureContextError';
}

/** The constraints of one kind, on that device when there is one. */
function constraints(kind: 'audio' | 'video', deviceId: string | null): MediaTrackConstraints {
  const base = kind === 'audio' ? AUDIO : VIDEO;
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

function request(audio: boolean, video: boolean, audioinput: string | null, videoinput: string | null): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new InsecureContextError('navigator.mediaDevices is missing (not https?)');
  return navigator.mediaDevices.getUserMedia({ audio: audio && constraints('audio', audioinput), video: video && constraints('video', videoinput) });
}

/**
 * The chosen devices (`exact`: an `ideal` deviceId loses to the default device in Chromium); a
 * remembered one that is gone (unplugged) falls back to the default device, a strict one fails.
 */
async function getTracks(audio: boolean, video: boolean, choice: DeviceChoice): Promise<MediaStream> {
  const audioinput = audio ? choice.audioinput : null;
  const videoinput = video ? choice.videoinput : null;
  try {
    return await request(audio, video, audioinput, videoinput);
  } catch (error) {
    const gone = error instanceof Error && (error.name === 'OverconstrainedError' || error.name === 'NotFoundError');
    if (choice.strict || !gone || (!audioinput && !videoinput)) throw error;
    return request(audio, video, null, null);
  }
}

/**
 * Asks for the wanted tracks at once, then one by one if that fails, so one broken device does
 * not block the other. The devices are the remembered choices (DevicePreferences) unless
 * `choice` names others; a remembered device that is gone falls back to the default one.
 */
export async function acquireTracks(want: { audio: boolean; video: boolean }, choice: Partial<DeviceChoice> = {}): Promise<LocalTracks> {
  const wanted: DeviceChoice = { audioinput: devicePreferences.get('audioinput'), videoinput: devicePreferences.get('videoinput'), strict: false, ...choice };
  const result: LocalTracks = { audio: null, video: null, error: null };
  if (!want.audio && !want.video) return result;
  try {
    const stream = await getTracks(want.audio, want.video, wanted);
    result.audio = stream.getAudioTracks()[0] ?? null;
    result.video = stream.getVideoTracks()[0] ?? null;
    return result;
  } catch (error) {
    result.error = mediaErrorCode(error);
    if (!(want.audio && want.video)) return result;
  }
  for (const kind of ['audio', 'video'] as const) {
    try {
      const stream = await getTracks(kind === 'audio', kind === 'video', wanted);
      result[kind] = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
    } catch (error) {
      result.error = mediaErrorCode(error);
    }
  }
  return result;
}

