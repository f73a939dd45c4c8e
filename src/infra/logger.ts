import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  '*.token',
  '*.password',
  'config.scomWebhookToken',
  // The console's session cookie, as pino-http logs a response's headers.
  'res.headers["set-cookie"]',
];

/** Structured JSON logs on stdout; one logger per process, children per component. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'exchange-chatops' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
