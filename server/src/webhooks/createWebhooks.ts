import type { Redis } from 'ioredis';
import type { Config } from '../config/Config.js';
import type { Logger } from '../logging/logger.js';
import { WebhookDispatcher } from './WebhookDispatcher.js';
import { WebhookQueue } from './WebhookQueue.js';
import type { WebhookOptions, Webhooks } from './WebhookTypes.js';

/**
 * The server's webhooks (HOOK-n): in the BullMQ queue when Redis is there (the recording
 * service's connection: deliveries survive a restart, dead letters are kept), in memory otherwise.
 */
export function createWebhooks(config: Config, redis: Redis | undefined, log: Logger, onResult?: WebhookOptions['onResult']): Webhooks {
  const options: WebhookOptions = { url: config.webhookUrl, secret: config.webhookSecret, ...config.webhookRetry, onResult };
  return redis ? new WebhookQueue({ ...options, connection: redis }, log) : new WebhookDispatcher(options, log);
}
