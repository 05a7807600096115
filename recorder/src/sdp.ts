import type { TapResponse } from '@nomades/shared';

/**
 * The SDP ffmpeg reads to receive one tap: one m-line, the consumer's payload type and codec,
 * RTP on `rtpPort` and RTCP on `rtpPort + 1` (the SFU's PlainTransport sends RTCP there).
 */
export function tapSdp(tap: TapResponse, ip: string, rtpPort: number): string {
  const codec = tap.mimeType.split('/')[1];
  const family = ip.includes(':') ? 'IP6' : 'IP4';
  const rtpmap =
    tap.kind === 'audio'
      ? `${codec}/${tap.clockRate}${tap.channels && tap.channels > 1 ? `/${tap.channels}` : ''}`
      : `${codec}/${tap.clockRate}`;
  return [
    'v=0',
    `o=- 0 0 IN ${family} ${ip}`,
    's=nomades-visio recording',
    `c=IN ${family} ${ip}`,
    't=0 0',
    `m=${tap.kind} ${rtpPort} RTP/AVP ${tap.payloadType}`,
    `a=rtpmap:${tap.payloadType} ${rtpmap}`,
    ...(codec.toLowerCase() === 'h264' ? [`a=fmtp:${tap.payloadType} packetization-mode=1`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}
