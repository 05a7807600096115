import type { ErrorPayload, RecordingStatus, Role } from '@nomades/shared';
import type { Notice } from './Notice';
import type { SessionPhase } from '../session/MeetingSession';

/** What the UI shows of a remote participant. */
export interface RemotePeerView {
  id: string;
  displayName: string;
  role: Role;
  /** The camera track; null when none is being received. */
  videoTrack: MediaStreamTrack | null;
  /** The shared screen, when this peer shares one. */
  screenTrack: MediaStreamTrack | null;
  /** True when there is no video to show (no producer, or its producer is paused). */
  videoOff: boolean;
  /** Every received audio track (microphone, screen audio). */
  audioTracks: MediaStreamTrack[];
  /** True when the peer has no microphone producer or has paused it. */
  micMuted: boolean;
  /** Its connection was lost; the server keeps it for a while (SIG-13). */
  reconnecting: boolean;
}

export interface SelfView {
  peerId: string;
  displayName: string;
  role: Role;
}

export type RoomPhase = SessionPhase;

/** Immutable snapshot of a RoomClient, rebuilt on every change (for useSyncExternalStore). */
export interface RoomSnapshot {
  phase: RoomPhase;
  /** Base URL of the node the meeting runs on (NODE-2): the board and chat connect there too. */
  node: string;
  self: SelfView | null;
  peers: readonly RemotePeerView[];
  micOn: boolean;
  cameraOn: boolean;
  /** The camera as sent and shown (its background blurred or replaced when chosen). */
  localVideoTrack: MediaStreamTrack | null;
  /** The camera's own track: its device and settings. */
  localCameraTrack: MediaStreamTrack | null;
  /** This client's own screen share, while it shares. */
  localScreenTrack: MediaStreamTrack | null;
  /** The microphone's own track (sent or not): its device is the one selected. */
  localAudioTrack: MediaStreamTrack | null;
  /** What is sent of the microphone, for the level meter: the noise-suppressed track while that runs. */
  localAudioSentTrack: MediaStreamTrack | null;
  /** The microphone is noise-suppressed now (NoiseSuppressor running). */
  noiseSuppressed: boolean;
  /** Last non-fatal problem (e.g. camera unavailable), for a dismissable notice. */
  warning: Notice | null;
  closeReason: ErrorPayload | null;
  /**
   * The meeting is being recovered: signaling reconnecting (phase `reconnecting`), or the media
   * restarting its ICE while signaling is fine (SIG-14).
   */
  reconnecting: boolean;
  /** The recovery gave up after RESUME_LIMITS.giveUpAfterMs: RoomClient.retry() tries again. */
  stalled: boolean;
  /** The room is being recorded (server's `recording` notification). */
  recording: boolean;
  /** REC-14 (hosts): the status of the room's latest recording, once it changed during this meeting. */
  recordingStatus: RecordingStatus | null;
}

export interface RoomClientEvents extends Record<string, unknown[]> {
  change: [];
  /** A joined session ended: `null` when the user left, else why (a final code: removed, refused…). */
  closed: [reason: ErrorPayload | null];
}

export interface RoomClientOptions {
  /** Base URL of the node that served the page, e.g. `window.location.origin` (NODE-2: the room's node is found from there). */
  url: string;
  roomId: string;
  token: string;
}

export interface JoinOptions {
  /** Start with the microphone unmuted (it is acquired and produced paused otherwise). */
  mic: boolean;
  /** Start with the camera on. */
  camera: boolean;
}
