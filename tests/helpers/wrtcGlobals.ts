import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @roamhq/wrtc's WebRTC classes, installed on globalThis so mediasoup-client finds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const wrtc: any = require('@roamhq/wrtc');

for (const name of [
  'RTCPeerConnection',
  'RTCSessionDescription',
  'RTCIceCandidate',
  'MediaStream',
  'MediaStreamTrack',
  'RTCRtpSender',
  'RTCRtpReceiver',
  'RTCRtpTransceiver',
  'RTCDataChannel',
]) {
  if (wrtc[name] && !(name in globalThis)) (globalThis as Record<string, unknown>)[name] = wrtc[name];
}
