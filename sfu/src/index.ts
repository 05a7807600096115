export { WorkerPool } from './WorkerPool.js';
export type { WorkerPoolOptions, MediaWorker, SharedTcpPort } from './WorkerPoolTypes.js';
export { MediaRoom } from './MediaRoom.js';
export { MediaPeer } from './MediaPeer.js';
export { BitrateGuard } from './BitrateGuard.js';
export type * from './MediaPeerTypes.js';
export { mediaCodecs } from './mediaCodecs.js';
export { RecordingTap, type RecordingTapTarget } from './RecordingTap.js';
export { SpeakerDetector, type SpeakerLevel } from './SpeakerDetector.js';
