import type { types } from 'mediasoup';
import { AppError, CLUSTER_LIMITS, rightForSource, type RequestData, type RequestName, type ResponseData } from '@nomades/shared';
import { assertRight } from '../moderation/assertRight.js';
import { moderatedSourceOf } from '../moderation/Moderator.js';
import { moderationHandlers } from './moderationHandlers.js';
import { pollHandlers } from './pollHandlers.js';
import { reactionHandlers } from './reactionHandlers.js';
import { reportHandlers } from './reportHandlers.js';
import type { SessionContext } from './SessionContext.js';

/** SIG-9: per room, the peers whose screen producer is being created. */
const screensStarting = new WeakMap<object, Set<string>>();

type Handler<N extends RequestName> = (ctx: SessionContext, data: RequestData<N>) => Promise<ResponseData<N>>;
export type RequestHandlers = { [N in RequestName]: Handler<N> };

/**
 * What each signaling request does (rules in docs/spec/signaling.md). The data has already been
 * validated against the request's schema in shared/; the casts below only bridge the structural
 * wire types to mediasoup's nominal ones.
 */
export const requestHandlers: RequestHandlers = {
  async join(ctx) {
    const { room, peer } = await ctx.join();
    return {
      peerId: peer.id,
      roomId: room.id,
      displayName: peer.displayName,
      role: peer.role,
      routerRtpCapabilities: room.media.rtpCapabilities,
      peers: [...room.peers()].filter((p) => p !== peer).map((p) => p.info()),
      resumeToken: peer.resumeToken,
      resumeGraceMs: ctx.resumeGraceMs,
      iceServers: ctx.iceServers(peer.id),
      ...(ctx.otherNodes().length > 0 ? { nodes: ctx.otherNodes().slice(0, CLUSTER_LIMITS.maxNodesInAnswer) } : {}),
    };
  },

  async resume(ctx, { peerId, resumeToken, lastSeq }) {
    const resumed = await ctx.resume(peerId, resumeToken, lastSeq);
    return { peerId: resumed.peer.id, role: resumed.peer.role, resumeToken: resumed.resumeToken, replayed: resumed.replayed };
  },

  async restartIce(ctx, { transportId }) {
    const iceParameters = await ctx.joined().peer.media.restartIce(transportId);
    return { iceParameters };
  },

  async setRtpCapabilities(ctx, { rtpCapabilities }) {
    // Awaited: a participant's media on the annex (SPAN-2) is told over the node channel.
    await ctx.joined().peer.media.setRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
    return {};
  },

  async createTransport(ctx, { direction }) {
    return ctx.joined().peer.media.createTransport(direction);
  },

  async connectTransport(ctx, { transportId, dtlsParameters }) {
    await ctx.joined().peer.media.connectTransport(transportId, dtlsParameters as types.DtlsParameters);
    return {};
  },

  async produce(ctx, data) {
    const { room, peer } = ctx.joined();
    // ROLE-1…4: the current role's rights; MOD-2: a locked source may only be produced paused.
    assertRight(peer.role, rightForSource(data.source));
    if (!data.paused && room.controls.isMediaLocked(peer.identity, moderatedSourceOf(data.source))) {
      throw new AppError('MEDIA_LOCKED', `a host has locked your ${data.source}`, { source: data.source });
    }
    let starting: Set<string> | undefined;
    if (data.source === 'screen') {
      // SIG-9: at most maxScreenShares screens at once in a room, those being created included
      // (the check and the creation are not atomic: two shares asked at once must not both pass).
      starting = screensStarting.get(room) ?? new Set();
      screensStarting.set(room, starting);
      const sharing = [...room.peers()].filter(
        (p) => p !== peer && (starting!.has(p.id) || [...p.media.producers.values()].some((x) => x.appData.source === 'screen')),
      );
      if (sharing.length >= room.info.maxScreenShares) {
        throw new AppError('SCREEN_SHARE_BUSY', 'someone is already sharing a screen', { name: sharing[0].displayName });
      }
      starting.add(peer.id);
    }
    const producer = await peer.media
      .produce({ ...data, rtpParameters: data.rtpParameters as types.RtpParameters })
      .finally(() => starting?.delete(peer.id));
    return { producerId: producer.id }; // the room told the others (Room: newProducer)
  },

  async closeProducer(ctx, { producerId }) {
    ctx.joined().peer.media.closeProducer(producerId);
    return {};
  },

  async pauseProducer(ctx, { producerId }) {
    await ctx.joined().peer.media.pauseProducer(producerId); // the room tells the others
    return {};
  },

  async resumeProducer(ctx, { producerId }) {
    const { room, peer } = ctx.joined();
    const source = peer.media.producers.get(producerId)?.appData.source;
    if (source) {
      assertRight(peer.role, rightForSource(source));
      if (room.controls.isMediaLocked(peer.identity, moderatedSourceOf(source))) {
        throw new AppError('MEDIA_LOCKED', `a host has locked your ${source}`, { source });
      }
    }
    await peer.media.resumeProducer(producerId); // the room tells the others
    return {};
  },

  async consume(ctx, { transportId, producerId }) {
    const consumer = await ctx.joined().peer.media.consume(transportId, producerId);
    return {
      consumerId: consumer.id,
      producerId,
      peerId: consumer.appData.producerPeerId,
      kind: consumer.kind,
      source: consumer.appData.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    };
  },

  async consumeMany(ctx, { transportId, producerIds }) {
    const { consumers, missing } = await ctx.joined().peer.media.consumeMany(transportId, producerIds);
    return {
      consumers: consumers.map((consumer) => ({
        consumerId: consumer.id,
        producerId: consumer.producerId,
        peerId: consumer.appData.producerPeerId,
        kind: consumer.kind,
        source: consumer.appData.source,
        rtpParameters: consumer.rtpParameters,
        producerPaused: consumer.producerPaused,
      })),
      missing,
    };
  },

  async resumeConsumers(ctx, { consumerIds }) {
    return { missing: await ctx.joined().peer.media.resumeConsumers(consumerIds) };
  },

  async pauseConsumer(ctx, { consumerId }) {
    await ctx.joined().peer.media.pauseConsumer(consumerId);
    return {};
  },

  async resumeConsumer(ctx, { consumerId }) {
    await ctx.joined().peer.media.resumeConsumer(consumerId);
    return {};
  },

  async setConsumerLayers(ctx, { consumerId, spatialLayer, temporalLayer }) {
    await ctx.joined().peer.media.setConsumerLayers(consumerId, spatialLayer, temporalLayer);
    return {};
  },

  async leave(ctx) {
    ctx.leave();
    return {};
  },

  ...moderationHandlers,
  ...reactionHandlers,
  ...reportHandlers,
  ...pollHandlers,
};
