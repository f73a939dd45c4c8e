import { Command, CommanderError } from 'commander';
import { PolicyError } from '../domain/approvals/policy';
import { ConfigError } from '../infra/config/load-config';
import { registerAudit } from './commands/audit';
import { registerDemo } from './commands/demo';
import { registerSendAlert } from './commands/send-alert';
import { registerServe } from './commands/serve';
import { registerWorker } from './commands/worker';
import { registerRunbooks } from './commands/runbooks';
import { PLATFORMS } from '../../adapters/registry';

/**
 * `exchange-chatops <command>`: one entry for the server, the worker and the operator tools. Every
 * subcommand reads the same environment configuration as the server.
 */
export function buildProgram(): Command {
  const program = new Command('exchange-chatops')
    .description(
      'ChatOps for Exchange Server Managed Availability: SCOM alerts in, runbook cards out, ' +
        'approved remediation through PowerShell workers.\n\n' +
        'Configuration comes from environment variables (see .env.example).',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunbooks(program);
  registerServe(program);
  registerWorker(program);
  registerDemo(program);
  registerAudit(program);
  // Subcommands a chat platform brings (Teams: `teams package`).
  for (const platform of PLATFORMS) platform.registerCommands?.(program);
  registerSendAlert(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof ConfigError || err instanceof PolicyError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`exchange-chatops: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  void main(process.argv);
}
