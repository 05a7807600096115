export * from './webhookEvents.js';
export * from './webhookSignature.js';
