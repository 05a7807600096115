import { suite, type Test } from 'uvu';
import { startTestServer, type TestServer } from './testServer.js';
import { WrtcBot } from './WrtcBot.js';

export interface WrtcSuiteContext {
  srv?: TestServer;
  /** Bots a test creates; all closed after the suite. */
  bots: WrtcBot[];
}

/** A uvu suite with a real server (env as for startTestServer) started before and closed after, with its bots. */
export function wrtcSuite(name: string, env: Record<string, string> = {}): Test<WrtcSuiteContext> {
  const s = suite<WrtcSuiteContext>(name, { bots: [] });
  s.before(async (ctx) => {
    ctx.srv = await startTestServer(env);
  });
  s.after(async (ctx) => {
    for (const b of ctx.bots) b.close();
    await ctx.srv?.close();
  });
  return s;
}

/** A bot named `name`, set up by `setup` before it joins `roomId` with a fresh token; closed after the suite. */
export async function joinBot(ctx: WrtcSuiteContext, roomId: string, name: string, setup: (bot: WrtcBot) => void = () => {}): Promise<WrtcBot> {
  const bot = new WrtcBot(name);
  setup(bot);
  ctx.bots.push(bot);
  await bot.join(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  return bot;
}
