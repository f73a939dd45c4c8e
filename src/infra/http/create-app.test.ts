import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { createApp } from './create-app';

test('request logs keep only harmless headers: no platform signature or token is written', async () => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const app = createApp({
    logger,
    scomWebhookToken: 'token',
    scomTimeZone: 'UTC',
    intake: { record: () => Promise.reject(new Error('not used')) },
    isReady: () => Promise.resolve(true),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/nothing-here`, {
      headers: {
        'x-slack-signature': 'v0=abcdef',
        'x-webex-signature': 'sha1=abcdef',
        authorization: 'Bearer secret',
        'user-agent': 'jest',
      },
    });
    const logged = lines.map((l) => JSON.parse(l) as { req?: { headers: object } });
    const req = logged.find((l) => l.req)?.req;
    expect(req?.headers).toEqual({ host: `127.0.0.1:${port}`, 'user-agent': 'jest' });
    expect(lines.join('')).not.toMatch(/abcdef|secret/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
