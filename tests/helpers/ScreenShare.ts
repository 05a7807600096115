import type { types as msc } from 'mediasoup-client';
import { request } from './signalingClient.js';
import { SyntheticMedia } from './SyntheticMedia.js';
import type { WrtcBot } from './WrtcBot.js';

/** One send transport per bot for its screens (the server keeps transports until the peer leaves). */
const transports = new Map<WrtcBot, msc.Transport>();

/**
 * A WrtcBot's screen share: real media (a moving 640×360 picture as `screen`, a tone as
 * `screen-audio` if asked) on a send transport of the bot's own device and socket, as the
 * browser's screen share is a second pair of producers. `start` rejects with the server's
 * RequestError (SCREEN_SHARE_BUSY, MEDIA_LOCKED, …) when the share is refused.
 */
export class ScreenShare {
  screen?: msc.Producer;
  audio?: msc.Producer;
  readonly #media = new SyntheticMedia(640, 360, 10, 6000);

  private constructor(readonly bot: WrtcBot) {}

  static async start(bot: WrtcBot, withAudio = false): Promise<ScreenShare> {
    const share = new ScreenShare(bot);
    try {
      await share.#start(withAudio);
    } catch (error) {
      share.close();
      throw error;
    }
    return share;
  }

  async #start(withAudio: boolean): Promise<void> {
    const transport = transports.get(this.bot) ?? (await ScreenShare.#transportOf(this.bot));
    this.screen = await transport.produce({ track: this.#media.videoTrack, appData: { source: 'screen' } });
    if (withAudio) this.audio = await transport.produce({ track: this.#media.audioTrack, appData: { source: 'screen-audio' } });
  }

  static async #transportOf(bot: WrtcBot): Promise<msc.Transport> {
    const { socket, device } = bot;
    const params = (await request(socket, 'createTransport', { direction: 'send' })) as unknown as msc.TransportOptions;
    const transport = device.createSendTransport(params);
    transports.set(bot, transport);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request(socket, 'connectTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      request(socket, 'produce', { transportId: transport.id, kind, rtpParameters: rtpParameters as never, source: appData.source as 'screen' | 'screen-audio', paused: false }).then(
        ({ producerId }) => done({ id: producerId }),
        fail,
      );
    });
    return transport;
  }

  /** Stops sharing as the client does: closes its producers on the server, then locally. */
  async stop(): Promise<void> {
    for (const p of [this.audio, this.screen]) {
      if (p && !p.closed) await request(this.bot.socket, 'closeProducer', { producerId: p.id }).catch(() => undefined);
    }
    this.close();
  }

  /** Closes the local producers and media (not the bot's screen transport: see closeTransports). */
  close(): void {
    this.screen?.close();
    this.audio?.close();
    this.#media.close();
  }

  /** Closes every bot's screen transport (after a test, before its bots close). */
  static closeTransports(): void {
    for (const t of transports.values()) t.close();
    transports.clear();
  }
}
