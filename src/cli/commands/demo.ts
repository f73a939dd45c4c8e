import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config';
import { findOrStartRedis } from '../../infra/find-redis';
import { startServer } from '../../http/start-server';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run everything on this machine for a try-out: finds Redis (REDIS_URL, else 127.0.0.1:6379,\n' +
        'else starts a private redis-server without persistence), starts the bot with a demo\n' +
        'webhook token unless SCOM_WEBHOOK_TOKEN is set, and prints how to send it an alert.\n' +
        'Honours PORT. Ctrl-C stops everything it started.',
    )
    .action(async () => {
      const redis = await findOrStartRedis(process.env);
      const token = process.env.SCOM_WEBHOOK_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
      const config = loadConfig({
        ...process.env,
        REDIS_URL: redis.url,
        SCOM_WEBHOOK_TOKEN: token,
        REDIS_PREFIX: process.env.REDIS_PREFIX || 'exchops-demo',
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      });
      const server = await startServer(config);
      const base = `http://localhost:${server.port}`;
      process.stdout.write(
        [
          '',
          `exchange-chatops demo is running at ${base}`,
          `  Redis: ${redis.url} (${redis.source === 'private' ? 'private, stops with the demo' : redis.source})`,
          `  Webhook token (demo only): ${token}`,
          '',
          'Send a SCOM-shaped alert:',
          `  curl -s -X POST ${base}/api/alerts/scom -H 'content-type: application/json' \\`,
          `    -H 'authorization: Bearer ${token}' \\`,
          `    -d '{"Id":"6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b","Name":"POP.Protocol health set unhealthy (PopDeepTestMonitor/MSExchangePOP3BE) - probe failed","PrincipalName":"EX01.contoso.com","Severity":2}'`,
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stdout.write('stopping…\n');
      await server.close();
      await redis.stop?.();
    });
}
