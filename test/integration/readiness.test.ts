import { loadConfig } from '../../src/infra/config/load-config';
import { startServer } from '../../src/main/start-server';
import { createLogger } from '../../src/infra/logger';
import { TEST_TOKEN } from '../support/server';

test('readyz says 503 while Redis does not answer; healthz stays 200', async () => {
  const config = loadConfig({
    PORT: '0',
    // Nothing listens on port 1.
    REDIS_URL: 'redis://127.0.0.1:1',
    SCOM_WEBHOOK_TOKEN: TEST_TOKEN,
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', redis: false });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    await server.close();
  }
});
