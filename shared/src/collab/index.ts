export * from './collabLimits.js';
export * from './collabDocument.js';
export * from './collabMessages.js';
