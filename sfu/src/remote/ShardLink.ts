import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  AppError,
  SHARD_CLOSE,
  shardEvents,
  shardRequests,
  type ShardEventName,
  type ShardRequestData,
  type ShardRequestName,
  type ShardResponseData,
} from '@nomades/shared';
import type { ProducerAppData } from '../MediaPeerTypes.js';
import type { NodeChannel } from './NodeChannel.js';
import { NodePipes } from './NodePipes.js';
import { RemoteMediaPeer, type RemoteMediaPeerContext } from './RemoteMediaPeer.js';

/** How media crosses between this node and the other one (SPAN-3). */
export interface NodePipeOptions {
  /** The address this node's pipe transports listen on. */
  listenIp: string;
  /** The address the other node reaches them at, if not listenIp. */
  announcedIp?: string;
  /** NODE_PIPE_TRUSTED=1: no SRTP between the nodes. */
  trusted?: boolean;
  /** Where refused messages of the other node are reported (a pino logger fits). */
  logger?: { warn(fields: object, message: string): void };
}

export type ShardLinkEvents = {
  /** The link ended: closed by the home, or the channel to the annex is gone (SPAN-7). */
  close: [];
};

/**
 * SPAN-2/3, the home's side of one room's span onto its annex: the node channel to the annex's
 * MediaShard, the NodePipes between the two nodes (whose router is the home room's first router),
 * and the RemoteMediaPeers of the room whose media is there, to which it routes the shard's
 * events. The channel closing (the annex died or cannot be reached) closes every one of them,
 * each emitting `close`; closing the link tells the shard (`shard.close`). Idempotent.
 */
export class ShardLink extends EventEmitter<ShardLinkEvents> {
  readonly channel: NodeChannel;
  readonly pipes: NodePipes;
  readonly #peers = new Map<string, RemoteMediaPeer>();
  /** Imports of annex producers in progress (shard.export, then the pipe). */
  readonly #importing = new Map<string, Promise<types.Producer<ProducerAppData>>>();
  #closed = false;

  constructor(
    channel: NodeChannel,
    options: NodePipeOptions & { router: types.Router; findProducer(producerId: string): types.Producer<ProducerAppData> | undefined },
  ) {
    super();
    this.channel = channel;
    this.pipes = new NodePipes({ channel, ...options });
    for (const name of Object.keys(shardEvents) as ShardEventName[]) {
      channel.on(name, (data) => this.#dispatch(name, data));
    }
    channel.onClose(() => this.close({ tellShard: false }));
    // The annex ended the pipes (its shard closed: a worker died there): the span is over.
    this.pipes.once('close', () => this.close());
  }

  /** The annex's node id. */
  get nodeId(): string {
    return this.channel.nodeId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The room's participants whose media is on the annex. */
  get peers(): ReadonlyMap<string, RemoteMediaPeer> {
    return this.#peers;
  }

  /** A participant whose media the shard creates now (RemoteMediaPeer asks `shard.createPeer`). */
  createPeer(peerId: string, ctx: Pick<RemoteMediaPeerContext, 'findProducer' | 'bringToAnnex'>): RemoteMediaPeer {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the media node of this room is gone');
    if (this.#peers.has(peerId)) throw new AppError('ALREADY_JOINED', 'peer already in the room');
    const peer = new RemoteMediaPeer(peerId, {
      nodeId: this.nodeId,
      request: (method, data) => this.request(method, data),
      findProducer: ctx.findProducer,
      bringToAnnex: ctx.bringToAnnex,
    });
    this.#peers.set(peerId, peer);
    peer.once('close', () => {
      if (this.#peers.get(peerId) === peer) this.#peers.delete(peerId);
    });
    return peer;
  }

  /** One request to the shard; its answer is checked against the protocol. */
  async request<N extends ShardRequestName>(method: N, data: ShardRequestData<N>): Promise<ShardResponseData<N>> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the media node of this room is gone');
    let answer: unknown;
    try {
      answer = await this.channel.request(method, data);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('UNAVAILABLE', `the media node did not answer ${method}`);
    }
    const parsed = shardRequests[method].response.safeParse(answer);
    if (!parsed.success) throw new AppError('MEDIA_ERROR', `the media node's answer to ${method} is malformed`);
    return parsed.data as ShardResponseData<N>;
  }

  /**
   * SPAN-3: one of the annex's producers, piped to this node's first router (once; concurrent
   * callers share the import). The shard first brings it to the router its own pipes use.
   */
  importProducer(producerId: string): Promise<types.Producer<ProducerAppData>> {
    const imported = this.pipes.imported.get(producerId);
    if (imported && !imported.closed) return Promise.resolve(imported);
    let importing = this.#importing.get(producerId);
    if (!importing) {
      importing = this.request('shard.export', { producerId }).then(() => this.pipes.pipeIn(producerId));
      this.#importing.set(producerId, importing);
      const done = () => this.#importing.delete(producerId);
      importing.then(done, done);
    }
    return importing;
  }

  #dispatch(name: ShardEventName, data: unknown): void {
    if (this.#closed) return;
    const parsed = shardEvents[name].safeParse(data);
    if (!parsed.success) return; // a malformed event changes nothing here
    this.#peers.get(parsed.data.peerId)?.receive(name, parsed.data);
  }

  /**
   * Ends the span: the annex's participants are closed here (each emits `close`), the pipes too;
   * the shard is told unless the channel is already gone. Idempotent.
   */
  close(options: { tellShard?: boolean } = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    if (options.tellShard ?? true) {
      try {
        this.channel.send(SHARD_CLOSE, {});
      } catch {
        // The channel is gone: the annex closes the shard when it sees it go.
      }
    }
    for (const peer of [...this.#peers.values()]) peer.closeFromAnnex();
    this.#peers.clear();
    this.#importing.clear();
    this.pipes.close();
    this.emit('close');
    this.removeAllListeners();
  }
}
