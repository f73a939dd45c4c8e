import type { Command } from 'commander';
import { loadConfig } from '../../infra/config/load-config';
import { startServer } from '../../main/start-server';
import { loadCatalog } from '../../infra/files/load-catalog';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('run the bot: the webhook, remediation runs, approvals and chat')
    .description(
      'Run the bot: the SCOM webhook (POST /api/alerts/scom), /healthz and /readyz, the ' +
        'remediation runs (verify on every new incident, runbook steps as jobs) and approvals.\n\n' +
        'Needs SCOM_WEBHOOK_TOKEN, JOB_SIGNING_KEY or JOB_SIGNING_KEYS (every job is signed with ' +
        'it; the worker needs the same keys) and a Redis at REDIS_URL. Listens on HOST (default ' +
        '0.0.0.0). CONSOLE_ENABLED=true adds /console: sign-in with CONSOLE_OIDC_*, read-only ' +
        'without it.',
    )
    .action(async () => {
      const config = loadConfig(process.env, ['SCOM_WEBHOOK_TOKEN', 'JOB_SIGNING_KEY']);
      // An invalid runbook (shipped or RUNBOOKS_DIR) fails start-up, naming file, path and reason.
      const catalog = loadCatalog({ operatorDir: config.runbooksDir });
      await startServer(config, { handleSignals: true, catalog, host: config.host });
    });
}
