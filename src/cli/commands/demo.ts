import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { PowerShellPool } from '../../../jobs/powershell';
import { createSimulatedOrg, setScenario, simulatorEnv } from '../../../jobs/simulator';
import { createPoolExecutor } from '../../../jobs/worker/pool-executor';
import { startWorker } from '../../../jobs/worker/start-worker';
import { loadConfig } from '../../config/load-config';
import { findOrStartRedis } from '../../infra/find-redis';
import { createLogger } from '../../infra/logger';
import { startServer } from '../../http/start-server';
import { DEMO_POLICY } from './demo-policy';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run everything on this machine for a try-out: finds Redis (REDIS_URL, else 127.0.0.1:6379,\n' +
        'else starts a private redis-server without persistence), starts the bot with a demo\n' +
        'webhook token unless SCOM_WEBHOOK_TOKEN is set, and prints how to send it an alert.\n' +
        'Also starts, in the same process, a worker against the simulated Exchange (EX01..EX04;\n' +
        'EX01 has the pop-needs-reboot fault), with a random JOB_SIGNING_KEY, a demo approval\n' +
        'policy (console users cy: operator; ana, bo: approvers) unless APPROVAL_POLICY is set,\n' +
        'and RUNBOOK_WAIT_SECONDS=20 unless set. Honours PORT. Ctrl-C stops everything it started.',
    )
    .action(async () => {
      const redis = await findOrStartRedis(process.env);
      const token = process.env.SCOM_WEBHOOK_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
      const dir = mkdtempSync(path.join(tmpdir(), 'exchops-demo-'));
      const stateFile = path.join(dir, 'org.json');
      await createSimulatedOrg(stateFile, { timing: { rebootMs: 5000, serviceRestartMs: 500 } });
      setScenario(stateFile, 'pop-needs-reboot', { server: 'EX01' });
      let policy = process.env.APPROVAL_POLICY;
      if (!policy) {
        policy = path.join(dir, 'approval-policy.yaml');
        writeFileSync(policy, DEMO_POLICY);
      }
      const config = loadConfig({
        ...process.env,
        REDIS_URL: redis.url,
        SCOM_WEBHOOK_TOKEN: token,
        REDIS_PREFIX: process.env.REDIS_PREFIX || 'exchops-demo',
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
        // A fresh key per demo: the bot and its in-process worker share it, nothing else does.
        JOB_SIGNING_KEY: randomBytes(32).toString('hex'),
        APPROVAL_POLICY: policy,
        RUNBOOK_WAIT_SECONDS: process.env.RUNBOOK_WAIT_SECONDS || '20',
        // The simulated organisation is the inventory-less default site.
        INVENTORY_FILE: '',
        WORKER_SITES: '',
      });
      const { NODE_POWERSHELL, ...shellEnv } = simulatorEnv(stateFile);
      process.env.NODE_POWERSHELL = NODE_POWERSHELL;
      const logger = createLogger(config.logLevel);
      const worker = await startWorker(config, {
        executor: createPoolExecutor(
          new PowerShellPool({
            endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
            size: 2,
            timeoutMs: config.commandTimeoutMs,
            env: shellEnv,
            logger,
          }),
        ),
        logger,
        inventory: null,
      });
      const server = await startServer(config, { logger });
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
          `Simulated Exchange: ${stateFile} (EX01 needs a reboot to clear its POP fault)`,
          `Approval policy: ${policy}`,
          'The alert starts a remediation run: the verify procedure runs by itself, then each',
          'change waits for approval (cy asks, ana or bo approves).',
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
      await worker.close();
      await redis.stop?.();
      rmSync(dir, { recursive: true, force: true });
    });
}
