import { Option, type Command } from 'commander';
import {
  ALERT_SCENARIOS,
  buildScenarioAlert,
} from '../../../jobs/simulated-exchange/alert-scenarios';
import { loadConfig } from '../../infra/config/load-config';
import { LANGS, type Lang } from '../../domain/runbooks/text';

export interface SendAlertIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const defaultIo: SendAlertIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

interface SendAlertOptions {
  scenario?: string;
  list?: boolean;
  url?: string;
  token?: string;
  server?: string;
  resolve?: boolean;
  print?: boolean;
  lang?: Lang;
}

interface ResultLine {
  outcome?: string;
  incidentId?: string | null;
  healthSet?: string | null;
  monitor?: string | null;
  server?: string | null;
  errors?: Array<{ field: string; reason: string }>;
}

export function registerSendAlert(program: Command, io: SendAlertIo = defaultIo): void {
  program
    .command('send-alert')
    .summary('post a realistic demo SCOM alert to the webhook')
    .description(
      'POST a SCOM-shaped alert (as scripts/scom/Send-ScomAlert.ps1 sends it) to the webhook of ' +
        'a running bot, for one of the POP runbook scenarios; --list names them. The alert id ' +
        'is derived from the scenario and server, so sending it again is a repeat of the same ' +
        'alert, and --resolve (or the pop-resolved scenario) closes it. The token is --token or ' +
        'SCOM_WEBHOOK_TOKEN (`exchange-chatops demo` prints the one it uses).',
    )
    .addOption(
      new Option('--scenario <name>', 'which alert to send').choices(
        ALERT_SCENARIOS.map((s) => s.name),
      ),
    )
    .option('--list', 'print the scenario names, one a line, with a short description')
    .addOption(
      new Option('--lang <lang>', 'the language of the --list descriptions')
        .choices([...LANGS])
        .default('en'),
    )
    .option('--url <base>', "the bot's base URL (default: http://localhost:$PORT, PORT 3000)")
    .option('--token <token>', 'the webhook bearer token (default: SCOM_WEBHOOK_TOKEN)')
    .option('--server <name>', "about this server instead of the scenario's own (EX01 or FQDN)")
    .option('--resolve', "close the scenario's alert (ResolutionState 255) instead of raising it")
    .option('--print', 'print the JSON payload instead of sending it')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  exchange-chatops send-alert --list',
        '  exchange-chatops send-alert --scenario pop-needs-reboot --token demo-0123…',
        '  exchange-chatops send-alert --scenario pop-backend-hung --resolve',
        '  exchange-chatops send-alert --scenario pop-ctp-failure --url https://chatops.contoso.com',
      ].join('\n'),
    )
    .action(async (opts: SendAlertOptions) => {
      if (opts.list) {
        const width = Math.max(...ALERT_SCENARIOS.map((s) => s.name.length));
        const lang = opts.lang ?? 'en';
        for (const s of ALERT_SCENARIOS)
          io.out(`${s.name.padEnd(width)}  ${s.description[lang]}\n`);
        return;
      }
      if (!opts.scenario) {
        throw new Error('say which alert to send with --scenario <name> (--list names them)');
      }
      const payload = buildScenarioAlert(opts.scenario, {
        ...(opts.server ? { server: opts.server } : {}),
        ...(opts.resolve ? { resolve: true } : {}),
      });
      if (opts.print) {
        io.out(`${JSON.stringify(payload, null, 2)}\n`);
        return;
      }
      const config = loadConfig(io.env);
      const token = opts.token ?? config.scomWebhookToken;
      if (!token) {
        throw new Error(
          'no webhook token: pass --token or set SCOM_WEBHOOK_TOKEN (the demo prints its token)',
        );
      }
      const base = (opts.url ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
      const url = `${base}/api/alerts/scom`;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(
          `could not reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message} ` +
            '(is the bot running? `npm run demo` starts one)',
          { cause: err },
        );
      }
      const text = await res.text();
      let body: { results?: ResultLine[]; error?: { message?: string } } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // Not our server's JSON: show the status and the start of the body below.
      }
      io.out(`${opts.scenario} → ${url}: HTTP ${res.status}\n`);
      for (const r of body.results ?? []) {
        const about = [r.healthSet, r.monitor, r.server ? `on ${r.server}` : null]
          .filter(Boolean)
          .join(' ');
        io.out(`  ${r.outcome ?? '?'} ${r.incidentId ?? '(no incident)'}  ${about}\n`);
        for (const e of r.errors ?? []) io.out(`    ${e.field}: ${e.reason}\n`);
      }
      if (!res.ok) {
        const reason = body.error?.message ?? text.slice(0, 200);
        throw new Error(`the webhook refused the alert (HTTP ${res.status}): ${reason}`);
      }
    });
}
