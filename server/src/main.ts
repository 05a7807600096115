/**
 * `npm start`: the whole product on one machine with embedded defaults.
 * Reads the configuration from the environment (see README), starts, prints where to go.
 */
import path from 'node:path';
import { LIMITS } from '@nomades/shared';
import { ConfigError, loadConfig } from './config/Config.js';
import { createLogger } from './logging/logger.js';
import { NomadesServer } from './NomadesServer.js';
import { installProcessPolicy } from './process/processPolicy.js';
import { LocalRedis } from './recording/LocalRedis.js';

const WELCOME_ROOM = 'welcome';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  let server: NomadesServer | undefined;
  let redis: LocalRedis | undefined;
  const shutdown = async () => {
    await server?.close();
    await redis?.close();
  };
  installProcessPolicy({ log, faults: () => server?.faults, stop: shutdown });
  // NODE-1: nodes sharing a PostgreSQL coordinate through one Redis: a private one would split them.
  if (config.databaseUrl && !config.redisUrl) {
    console.error('DATABASE_URL (several nodes) needs REDIS_URL: the Redis every node shares (docs/operations/several-nodes.md)');
    process.exit(2);
  }
  // The recording queue needs Redis: without REDIS_URL, run a redis-server of our own (DATA_DIR/redis).
  if (!config.redisUrl) {
    try {
      redis = await LocalRedis.start({ dir: path.join(config.dataDir, 'redis'), persist: true });
      config = { ...config, redisUrl: redis.url };
      log.info({ url: redis.address }, 'local redis-server started (recording queue)');
    } catch (error) {
      log.warn({ err: error }, 'could not start redis-server: recording is off');
    }
  }
  server = await NomadesServer.start(config, log).catch(async (error) => {
    await redis?.close();
    throw error;
  });
  if (config.guestAccess) {
    // Created unless it exists (one statement: several nodes starting together make one).
    await server.store.create({
      id: WELCOME_ROOM,
      name: 'Welcome',
      mode: 'coffee',
      record: false,
      maxParticipants: LIMITS.defaultMaxParticipants,
    });
  }
  const lines = [
    '',
    `  nomades-visio is running at ${server.url}`,
    `  media workers: ${server.pool.workers.length}, data: ${config.dataDir}`,
    server.secretsFile ? `  admin key and token secret: ${server.secretsFile}` : '  admin key and token secret: from the environment',
    config.guestAccess
      ? `  open ${server.url}/room/${WELCOME_ROOM} in two tabs to hold a meeting (guest access is on)`
      : '  guest access is off: mint tokens with POST /api/rooms/:id/tokens',
    '',
  ];
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    shutdown().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  console.error(`nomades-visio failed to start: ${error instanceof Error ? error.message : String(error)}`);
  if (/mediasoup-worker|ENOENT/.test(String(error))) console.error('  the mediasoup worker is missing: run `npm run setup`');
  process.exit(1);
});
