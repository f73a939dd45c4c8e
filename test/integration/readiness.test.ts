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
  // Watched, not muted: what the bot prints through console.error goes through as always.
  const printed = jest.spyOn(console, 'error');
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', redis: false });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    await server.close();
  }
  // Redis errors go to the logger (the connection's listener), not as a stack trace per queue
  // through BullMQ's fallback to console.error.
  expect(printed.mock.calls.map((c) => String(c[0]))).toEqual([]);
  printed.mockRestore();
});
