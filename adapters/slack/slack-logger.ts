import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/infra/logger';

/**
 * Bolt and the Web API client log through their own Logger interface; this forwards to our pino
 * logger so their lines are structured JSON with the rest. Levels are pino's: `setLevel` from the
 * SDK is ignored on purpose (the operator's LOG_LEVEL decides). Bolt's debug output can contain
 * request bodies, so it is kept at pino's debug level.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const text = (msg: unknown[]): string =>
    msg
      .map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : String(m)))
      .join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug(text(msg)),
    info: (...msg: unknown[]) => logger.info(text(msg)),
    warn: (...msg: unknown[]) => logger.warn(text(msg)),
    error: (...msg: unknown[]) => logger.error(text(msg)),
    setLevel: () => undefined,
    getLevel: () => {
      switch (logger.level) {
        case 'trace':
        case 'debug':
          return LogLevel.DEBUG;
        case 'info':
          return LogLevel.INFO;
        case 'warn':
          return LogLevel.WARN;
        default:
          return LogLevel.ERROR;
      }
    },
    setName: () => undefined,
  };
}
