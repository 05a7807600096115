export * from './errors.js';
export * from './limits.js';
export * from './token.js';
export * from './api.js';
export * from './signaling/mediaSchemas.js';
export * from './signaling/requests.js';
export * from './signaling/notifications.js';
export * from './signaling/ack.js';
