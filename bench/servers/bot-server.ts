import { startServer } from '../../src/main/start-server';
import { loadConfig } from '../../src/infra/config/load-config';
import { createLogger } from '../../src/infra/logger';
import { serveChild } from '../lib/child';

/** The real bot (webhook, incidents, queues) against the bench's Redis and prefix. */
async function main(): Promise<void> {
  // The bench's Redis is a throw-away one.
  const config = loadConfig({
    REDIS_VOLATILE_OK: 'true',
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  serveChild(server.port, () => server.close());
}

main().catch((err: unknown) => {
  process.stderr.write(`bot-server: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
