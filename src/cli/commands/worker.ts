import type { Command } from 'commander';
import { PowerShellPool } from '../../../jobs/powershell';
import { createPoolExecutor } from '../../../jobs/worker/pool-executor';
import { startWorker } from '../../../jobs/worker/start-worker';
import { loadConfig } from '../../infra/config/load-config';
import { loadInventory } from '../../infra/files/load-inventory';
import { createLogger } from '../../infra/logger';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .summary('run the PowerShell worker that carries out action jobs')
    .description(
      'Run the PowerShell worker (on a Windows host near the Exchange servers): takes action ' +
        "jobs for its sites from Redis, verifies each job's signed grant, runs it through a " +
        'pool of node-powershell shells connected to EXCHANGE_CONNECTION_URI, and reports ' +
        'results.\n\n' +
        'Needs JOB_SIGNING_KEY (or JOB_SIGNING_KEYS) and EXCHANGE_CONNECTION_URI; WORKER_SITES ' +
        'picks its sites (default: every site of INVENTORY_FILE). SIGTERM / Ctrl-C: finishes ' +
        'running jobs, takes no new ones.',
    )
    .action(async () => {
      const config = loadConfig(process.env, ['JOB_SIGNING_KEY', 'EXCHANGE_CONNECTION_URI']);
      const logger = createLogger(config.logLevel);
      const inventory = loadInventory(config.inventoryFile);
      const pool = new PowerShellPool({
        endpoint: { connectionUri: config.exchangeConnectionUri as string },
        size: config.workerConcurrency,
        pwsh: config.powershell === 'pwsh',
        timeoutMs: config.commandTimeoutMs,
        ...(inventory
          ? { inventory: inventory.servers.flatMap((s) => (s.fqdn ? [s.name, s.fqdn] : [s.name])) }
          : {}),
        logger,
      });
      await startWorker(config, {
        executor: createPoolExecutor(pool),
        logger,
        inventory,
        handleSignals: true,
      });
    });
}
