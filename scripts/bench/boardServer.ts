// Child process of boardBench.ts: a real server (fresh DATA_DIR, 1 media worker, logs at warn),
// a room and N tokens; prints them as one JSON line, stops on SIGTERM.
import { startTestServer } from '../../tests/helpers/testServer.js';

const clients = Number(process.argv[2] ?? 50);
const srv = await startTestServer({ LOG_LEVEL: 'warn' });
const { id } = await srv.createRoom({ id: 'bench', maxParticipants: 200 });
const tokens: string[] = [];
for (let i = 0; i < clients; i++) tokens.push(await srv.mintToken(id, `Bot ${i}`));
process.stdout.write(`${JSON.stringify({ url: srv.url, roomId: id, tokens })}\n`);
process.on('SIGTERM', () => {
  void srv.close().finally(() => process.exit(0));
});
