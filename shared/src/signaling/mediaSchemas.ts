import { z } from 'zod';

/**
 * Structural schemas for the mediasoup objects a client sends (RTP capabilities and parameters,
 * DTLS parameters). They bound sizes and types at the boundary; mediasoup's own ortc checks the
 * semantics afterwards. Unknown keys are kept (mediasoup-client adds some, e.g. `msid`).
 */
const shortString = z.string().max(256);
const codecParameters = z.record(z.union([z.string().max(512), z.number()])).refine(
  (o) => Object.keys(o).length <= 32,
  'too many codec parameters',
);
const rtcpFeedback = z.array(z.object({ type: shortString, parameter: shortString.optional() }).passthrough()).max(32);

export const rtpCodecCapabilitySchema = z
  .object({
    kind: z.enum(['audio', 'video']),
    mimeType: shortString,
    preferredPayloadType: z.number().int().min(0).max(127).optional(),
    clockRate: z.number().int().positive(),
    channels: z.number().int().min(1).max(8).optional(),
    parameters: codecParameters.optional(),
    rtcpFeedback: rtcpFeedback.optional(),
  })
  .passthrough();

export const rtpHeaderExtensionSchema = z
  .object({
    kind: z.enum(['audio', 'video']).optional(),
    uri: shortString,
    preferredId: z.number().int().min(1).max(255).optional(),
    preferredEncrypt: z.boolean().optional(),
    direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
  })
  .passthrough();

export const rtpCapabilitiesSchema = z
  .object({
    codecs: z.array(rtpCodecCapabilitySchema).max(64).optional(),
    headerExtensions: z.array(rtpHeaderExtensionSchema).max(64).optional(),
  })
  .passthrough();

export const rtpParametersSchema = z
  .object({
    mid: shortString.optional(),
    codecs: z
      .array(
        z
          .object({
            mimeType: shortString,
            payloadType: z.number().int().min(0).max(127),
            clockRate: z.number().int().positive(),
            channels: z.number().int().min(1).max(8).optional(),
            parameters: codecParameters.optional(),
            rtcpFeedback: rtcpFeedback.optional(),
          })
          .passthrough(),
      )
      .min(1)
      .max(16),
    headerExtensions: z
      .array(
        z
          .object({
            uri: shortString,
            id: z.number().int().min(1).max(255),
            encrypt: z.boolean().optional(),
            parameters: codecParameters.optional(),
          })
          .passthrough(),
      )
      .max(32)
      .optional(),
    encodings: z
      .array(
        z
          .object({
            ssrc: z.number().int().nonnegative().optional(),
            rid: shortString.optional(),
            codecPayloadType: z.number().int().optional(),
            rtx: z.object({ ssrc: z.number().int().nonnegative() }).optional(),
            dtx: z.boolean().optional(),
            scalabilityMode: shortString.optional(),
            scaleResolutionDownBy: z.number().positive().optional(),
            maxBitrate: z.number().positive().optional(),
          })
          .passthrough(),
      )
      .max(8)
      .optional(),
    rtcp: z
      .object({ cname: shortString.optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const dtlsParametersSchema = z
  .object({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z
      .array(z.object({ algorithm: shortString, value: z.string().max(256) }))
      .min(1)
      .max(8),
  })
  .passthrough();

/** Loose schemas for what the server sends back (already trusted; kept for types). */
export const iceParametersSchema = z.object({ usernameFragment: z.string(), password: z.string(), iceLite: z.boolean().optional() }).passthrough();
export const iceCandidateSchema = z.object({}).passthrough();

export type RtpCapabilitiesWire = z.infer<typeof rtpCapabilitiesSchema>;
export type RtpParametersWire = z.infer<typeof rtpParametersSchema>;
export type DtlsParametersWire = z.infer<typeof dtlsParametersSchema>;
