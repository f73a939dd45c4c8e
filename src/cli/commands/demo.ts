import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { PowerShellPool } from '../../../jobs/powershell';
import { createSimulatedOrg, setScenario, simulatorEnv } from '../../../jobs/simulated-exchange';
import {
  ALERT_SCENARIOS,
  buildScenarioAlert,
  demoScenarioOf,
} from '../../../jobs/simulated-exchange/alert-scenarios';
import { createPoolExecutor } from '../../../jobs/worker/pool-executor';
import { startWorker } from '../../../jobs/worker/start-worker';
import { inAllLangs } from '../../domain/strings';
import { loadConfig } from '../../infra/config/load-config';
import { findOrStartRedis } from '../../infra/redis/find-redis';
import { createLogger } from '../../infra/logger';
import { startServer } from '../../main/start-server';
import { DEMO_POLICY } from './demo-policy';

export interface RunningDemo {
  /** The base URL (the console is at `${url}/console`). */
  url: string;
  token: string;
  redis: { url: string; source: string };
  stateFile: string;
  policyFile: string;
  waitSeconds: number;
  stop(): Promise<void>;
}

/**
 * Everything on this machine: Redis (found or started), the bot with the console on, and a worker
 * against the simulated Exchange in the same process. Used by `exchange-chatops demo` and by the
 * browser test.
 */
export async function startDemo(
  env: NodeJS.ProcessEnv = process.env,
  options: { fromSource?: boolean } = {},
): Promise<RunningDemo> {
  const redis = await findOrStartRedis(env);
  const token = env.SCOM_WEBHOOK_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'exchops-demo-'));
  const stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 5000, serviceRestartMs: 500 } });
  let policyFile = env.APPROVAL_POLICY;
  if (!policyFile) {
    policyFile = path.join(dir, 'approval-policy.yaml');
    writeFileSync(policyFile, DEMO_POLICY);
  }
  const waitSeconds = Number(env.RUNBOOK_WAIT_SECONDS || '20');
  const config = loadConfig({
    ...env,
    // The demo's data is throw-away (its own prefix, often a private Redis without persistence).
    REDIS_VOLATILE_OK: 'true',
    REDIS_URL: redis.url,
    SCOM_WEBHOOK_TOKEN: token,
    // Never a production prefix: on a host with production settings the demo's consumers would
    // otherwise take production's events and jobs and answer them from the simulated Exchange.
    REDIS_PREFIX: env.DEMO_REDIS_PREFIX || 'exchops-demo',
    LOG_LEVEL: env.LOG_LEVEL || 'warn',
    // A fresh key per demo: the bot and its in-process worker share it, nothing else does.
    JOB_SIGNING_KEY: randomBytes(32).toString('hex'),
    APPROVAL_POLICY: policyFile,
    RUNBOOK_WAIT_SECONDS: String(waitSeconds),
    CONSOLE_ENABLED: 'true',
    // Links to whole step outputs point back at this machine.
    PUBLIC_URL: env.PUBLIC_URL || (env.PORT === '0' ? '' : `http://127.0.0.1:${env.PORT || 3000}`),
    // The simulated organisation is the inventory-less default site.
    INVENTORY_FILE: '',
    WORKER_SITES: '',
  });
  const { NODE_POWERSHELL, ...shellEnv } = simulatorEnv(stateFile, options.fromSource ?? false);
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
  let base = '';
  const raising = new Set<string>();
  const server = await startServer(config, {
    logger,
    env,
    // The console has no login: the demo is for this machine only.
    host: '127.0.0.1',
    // An alert from `send-alert` names its scenario: give the simulated server that fault, so the
    // verify procedure finds what the alert says (the console's control does it before posting).
    onAlertReceived: (alert) => {
      const demoAlert = demoScenarioOf(alert.raw);
      const fault = demoAlert?.scenario.simulatorScenario;
      if (demoAlert && fault && !raising.has(demoAlert.scenario.name)) {
        setScenario(stateFile, fault, { server: demoAlert.server });
      }
    },
    demo: {
      banner: inAllLangs('console.demoBanner', { seconds: waitSeconds }),
      scenarios: {
        list: ALERT_SCENARIOS.map((s) => ({ name: s.name, description: s.description })),
        async raise(name) {
          const scenario = ALERT_SCENARIOS.find((s) => s.name === name);
          if (!scenario) return { ok: false, reason: `No scenario "${name}".` };
          // The fault first, so the verify procedure finds what the alert says.
          if (scenario.simulatorScenario) {
            setScenario(stateFile, scenario.simulatorScenario, { server: scenario.server });
          }
          raising.add(name);
          const res = await fetch(`${base}/api/alerts/scom`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(buildScenarioAlert(name)),
          }).finally(() => raising.delete(name));
          if (!res.ok) return { ok: false, reason: `The webhook answered ${res.status}.` };
          return { ok: true, text: `Raised ${name} on ${scenario.server}.` };
        },
      },
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  return {
    url: base,
    token,
    redis: { url: redis.url, source: redis.source },
    stateFile,
    policyFile,
    waitSeconds,
    async stop() {
      await server.close();
      await worker.close();
      await redis.stop?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run everything on this machine for a try-out: finds Redis (REDIS_URL, else 127.0.0.1:6379,\n' +
        'else starts a private redis-server without persistence), starts the bot with the local\n' +
        'console at /console, and a worker against the simulated Exchange (EX01..EX04) in the same\n' +
        'process, with a random JOB_SIGNING_KEY, a demo approval policy (console users alice:\n' +
        'operator; bob, carol: approvers; ana: admin) unless APPROVAL_POLICY is set, and\n' +
        'RUNBOOK_WAIT_SECONDS=20 unless set. It listens on 127.0.0.1 only and keeps its data under\n' +
        'the Redis prefix exchops-demo (DEMO_REDIS_PREFIX), never REDIS_PREFIX. Raise alerts from\n' +
        'the console or with `exchange-chatops send-alert`. Honours PORT. Ctrl-C stops everything\n' +
        'it started.',
    )
    .action(async () => {
      const demo = await startDemo(process.env);
      process.stdout.write(
        [
          '',
          `exchange-chatops demo is running. Open the console:  ${demo.url}/console`,
          '  (on this machine only: the console has no login)',
          '',
          `  Redis: ${demo.redis.url} (${demo.redis.source === 'private' ? 'private, stops with the demo' : demo.redis.source})`,
          `  Webhook token (demo only): ${demo.token}`,
          `  Simulated Exchange state: ${demo.stateFile}`,
          `  Approval policy: ${demo.policyFile}`,
          '',
          'Raise an alert with the console\'s "Raise alert" control, or from another terminal:',
          `  SCOM_WEBHOOK_TOKEN=${demo.token} npx exchange-chatops send-alert --url ${demo.url} --scenario pop-needs-reboot`,
          '  (`send-alert --list` names the scenarios)',
          '',
          'Each alert starts a remediation run: the verify procedure runs by itself, then each change',
          'waits for approval (ask as alice, approve as bob or carol).',
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      process.stdout.write('stopping…\n');
      await demo.stop();
    });
}
