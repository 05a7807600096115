export { NomadesServer } from './NomadesServer.js';
export { loadConfig, ConfigError, type Config } from './config/Config.js';
export { TokenService } from './auth/TokenService.js';
export { createLogger } from './logging/logger.js';
export { StoreDatabase } from './store/StoreDatabase.js';
export { StoreCopy, type CopyReport } from './store/StoreCopy.js';
