import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { PowerShellPool } from '../../../jobs/powershell';
import {
  createSimulatedOrg,
  inventoryOf,
  setScenario,
  simulatorEnv,
  type OrgState,
} from '../../../jobs/simulated-exchange';
import {
  ALERT_SCENARIOS,
  buildScenarioAlert,
  demoScenarioOf,
} from '../../../jobs/simulated-exchange/alert-scenarios';
import { createPoolExecutor } from '../../../jobs/worker/pool-executor';
import { startWorker } from '../../../jobs/worker/start-worker';
import { t } from '../../domain/strings';
import { LANGS, type Lang } from '../../domain/runbooks/text';
import { loadConfig } from '../../infra/config/load-config';
import { findOrStartRedis } from '../../infra/redis/find-redis';
import { createLogger } from '../../infra/logger';
import { startServer, type RunningServer } from '../../main/start-server';
import { loadInventory } from '../../infra/files/load-inventory';
import { createRedis } from '../../infra/redis/redis';
import { DEMO_POLICY } from './demo-policy';

export interface RunningDemo {
  /** The base URL (the console is at `${url}/console`). */
  url: string;
  token: string;
  redis: { url: string; source: string };
  /** The Redis prefix the demo keeps its data under. */
  prefix: string;
  /** With `fresh`: how many keys under the prefix were deleted first; else null. */
  removedKeys: number | null;
  /** The bot itself (tests drive runs and approvals through it). */
  server: RunningServer;
  stateFile: string;
  /** The simulated organisation's servers and sites, as the bot and the worker read them. */
  inventoryFile: string;
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
  options: { fromSource?: boolean; fresh?: boolean } = {},
): Promise<RunningDemo> {
  const redis = await findOrStartRedis(env);
  const prefix = env.DEMO_REDIS_PREFIX || 'exchops-demo';
  const removed = options.fresh ? await deleteDemoKeys(redis.url, prefix) : null;
  const token = env.SCOM_WEBHOOK_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'exchops-demo-'));
  const stateFile = path.join(dir, 'org.json');
  const org = await createSimulatedOrg(stateFile, {
    timing: { rebootMs: 5000, serviceRestartMs: 500 },
  });
  // The bot and the worker read the simulated organisation's servers, sites and roles, so a
  // job goes to the site its server is in and `workers` names the same sites as the banner.
  const inventoryFile = path.join(dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventoryOf(org), null, 2));
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
    REDIS_PREFIX: prefix,
    LOG_LEVEL: env.LOG_LEVEL || 'warn',
    // A fresh key per demo: the bot and its in-process worker share it, nothing else does.
    JOB_SIGNING_KEY: randomBytes(32).toString('hex'),
    APPROVAL_POLICY: policyFile,
    RUNBOOK_WAIT_SECONDS: String(waitSeconds),
    CONSOLE_ENABLED: 'true',
    // Links to whole step outputs point back at this machine.
    PUBLIC_URL: env.PUBLIC_URL || (env.PORT === '0' ? '' : `http://127.0.0.1:${env.PORT || 3000}`),
    INVENTORY_FILE: inventoryFile,
    // One worker for every site of the simulated organisation.
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
    inventory: loadInventory(inventoryFile),
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
      banner: demoBanner(org, waitSeconds),
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
    prefix,
    removedKeys: removed,
    server,
    stateFile,
    inventoryFile,
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

/**
 * `demo --fresh`: deletes every key under the demo's prefix (SCAN and UNLINK in batches, never
 * KEYS, so a shared Redis is not blocked), so old incidents do not meet a fresh simulated
 * Exchange. Only `<prefix>:` keys: another prefix that merely starts the same is left alone.
 */
export async function deleteDemoKeys(url: string, prefix: string): Promise<number> {
  const redis = createRedis(url, { connectionName: 'exchops-demo-fresh' });
  try {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

/** The console's banner: the simulated servers and sites as the inventory has them. */
export function demoBanner(org: OrgState, waitSeconds: number): Readonly<Record<Lang, string>> {
  const names = org.servers.map((s) => s.name);
  const servers = names.length > 1 ? `${names[0]}–${names.at(-1)}` : (names[0] ?? '');
  const sites = [...new Set(org.servers.map((s) => s.site))];
  const out = {} as Record<Lang, string>;
  for (const lang of LANGS) {
    out[lang] = t(lang, 'console.demoBanner', {
      servers,
      sites: sites.join(t(lang, 'list.and')),
      seconds: waitSeconds,
    });
  }
  return out;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('run the bot, the console and a worker against a simulated Exchange')
    .description(
      'Run everything on this machine for a try-out: finds Redis (REDIS_URL, else ' +
        '127.0.0.1:6379, else starts a private redis-server without persistence), starts the bot ' +
        'with the local console at /console, and a worker against the simulated Exchange ' +
        '(EX01..EX04 in sites site-a and site-b) in the same process.\n\n' +
        'It uses a random JOB_SIGNING_KEY, a demo approval policy (console users alice: operator; ' +
        'bob, carol: approvers; ana: admin) unless APPROVAL_POLICY is set, and ' +
        'RUNBOOK_WAIT_SECONDS=20 unless set. It listens on 127.0.0.1 only and keeps its data ' +
        'under the Redis prefix exchops-demo (DEMO_REDIS_PREFIX), never REDIS_PREFIX. Honours ' +
        'PORT.\n\n' +
        'The simulated Exchange starts fresh every time; incidents, runs, approvals and the audit ' +
        'trail stay in Redis between runs (unless the Redis is the private one): --fresh deletes ' +
        'them first.\n\n' +
        'Raise alerts from the console or with `exchange-chatops send-alert`. Ctrl-C stops ' +
        'everything it started.',
    )
    .option('--fresh', "delete the demo prefix's keys in Redis first (old incidents, runs, audit)")
    .action(async (opts: { fresh?: boolean }) => {
      const demo = await startDemo(process.env, { fresh: opts.fresh === true });
      process.stdout.write(
        [
          '',
          `exchange-chatops demo is running. Open the console:  ${demo.url}/console`,
          '  (on this machine only: the console has no login)',
          '',
          `  Redis: ${demo.redis.url} (${demo.redis.source === 'private' ? 'private, stops with the demo' : demo.redis.source}), prefix ${demo.prefix}`,
          demo.removedKeys !== null
            ? `  --fresh: deleted ${demo.removedKeys} old key(s) under ${demo.prefix}:`
            : demo.redis.source === 'private'
              ? '  (a private Redis: nothing is kept after Ctrl-C)'
              : '  (incidents from earlier demos stay here; `demo --fresh` starts clean)',
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
