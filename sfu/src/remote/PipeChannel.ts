import {
  AppError,
  pipeEvents,
  pipeRequests,
  type PipeEventData,
  type PipeEventName,
  type PipeRequestData,
  type PipeRequestName,
  type PipeResponseData,
} from '@nomades/shared';
import type { NodeChannel } from './NodeChannel.js';

export interface PipeChannelLogger {
  warn(fields: object, message: string): void;
}

/**
 * The `pipe.*` messages of a NodeChannel (shared/src/nodeMedia.ts), typed and validated both
 * ways: a malformed request is refused BAD_REQUEST, a malformed event reported and dropped, a
 * malformed answer rejected BAD_REQUEST; nothing the other node sends can throw into this one.
 * Once `isClosed()`, requests are refused UNAVAILABLE and events neither handled nor sent.
 */
export class PipeChannel {
  readonly #channel: NodeChannel;
  readonly #isClosed: () => boolean;
  readonly #logger?: PipeChannelLogger;

  constructor(channel: NodeChannel, isClosed: () => boolean, logger?: PipeChannelLogger) {
    this.#channel = channel;
    this.#isClosed = isClosed;
    this.#logger = logger;
  }

  get nodeId(): string {
    return this.#channel.nodeId;
  }

  /** Registers the handler of one request of the other node. */
  serve<N extends PipeRequestName>(name: N, handler: (data: PipeRequestData<N>) => Promise<PipeResponseData<N>>): void {
    this.#channel.handle(name, async (raw) => {
      if (this.#isClosed()) throw new AppError('UNAVAILABLE', 'the pipes to this node are closed');
      const parsed = pipeRequests[name].request.safeParse(raw);
      if (!parsed.success) throw new AppError('BAD_REQUEST', `${name}: ${describe(parsed.error)}`);
      return handler(parsed.data as PipeRequestData<N>);
    });
  }

  /** Registers the listener of one event of the other node. */
  listen<N extends PipeEventName>(name: N, listener: (data: PipeEventData<N>) => void): void {
    this.#channel.on(name, (raw) => {
      if (this.#isClosed()) return;
      const parsed = pipeEvents[name].safeParse(raw);
      if (!parsed.success) {
        this.#logger?.warn({ event: name, node: this.nodeId, issue: describe(parsed.error) }, 'refused a malformed pipe event');
        return;
      }
      listener(parsed.data as PipeEventData<N>);
    });
  }

  /**
   * A request to the other node, its answer validated. Its NOT_FOUND, BAD_REQUEST and CONFLICT come
   * back as they are; any other failure, or no answer, is UNAVAILABLE.
   */
  async request<N extends PipeRequestName>(name: N, data: PipeRequestData<N>): Promise<PipeResponseData<N>> {
    let answer: unknown;
    try {
      answer = await this.#channel.request(name, data);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST' || error.code === 'CONFLICT')) throw error;
      const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
      throw new AppError('UNAVAILABLE', `${name} on node ${this.nodeId} failed: ${reason}`);
    }
    const parsed = pipeRequests[name].response.safeParse(answer);
    if (!parsed.success) throw new AppError('BAD_REQUEST', `${name}: malformed answer from node ${this.nodeId}: ${describe(parsed.error)}`);
    return parsed.data as PipeResponseData<N>;
  }

  send<N extends PipeEventName>(name: N, data: PipeEventData<N>): void {
    if (this.#isClosed()) return;
    try {
      this.#channel.send(name, data);
    } catch {
      // The channel is going away: its onClose closes the pipes.
    }
  }
}

function describe(error: { issues: Array<{ path: Array<string | number>; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}`.slice(0, 200) : 'invalid';
}
