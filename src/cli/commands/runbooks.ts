import { Option, type Command } from 'commander';
import { toServerRef } from '../../domain/alerts/host-name';
import { cardContextFromMatch, buildRunbookCard } from '../../domain/cards/runbook-card';
import type { Card, CardStep } from '../../domain/cards/card';
import { t } from '../../domain/strings';
import { loadConfig } from '../../infra/config/load-config';
import type { Catalog } from '../../domain/runbooks/catalog';
import { flattenSteps } from '../../domain/runbooks/catalog';
import { catalogFromTexts } from '../../domain/runbooks/catalog-from-texts';
import { formatIssue } from '../../domain/runbooks/errors';
import { loadCatalog } from '../../infra/files/load-catalog';
import { matchQuery, type MatchedBy } from '../../domain/runbooks/match-runbook';
import { readRunbookFiles, shippedRunbooksDir } from '../../infra/files/read-runbook-files';
import { SERVER_ROLES, type ServerRole } from '../../domain/runbooks/schema';
import { LANGS, pickText, type Lang } from '../../domain/runbooks/text';

/** Where the subcommands write and how they get the catalogue; tests pass their own. */
export interface RunbooksIo {
  out: (text: string) => void;
  err: (text: string) => void;
  catalog: () => Catalog;
  /** Checks a directory as an operator layer on top of the shipped runbooks. */
  validate: (dir: string) => ValidateResult;
}

export interface ValidateResult {
  ok: boolean;
  lines: string[];
}

export interface ShowOptions {
  lang?: Lang | undefined;
  server?: string | undefined;
  relatedServer?: string | undefined;
  role?: ServerRole[] | undefined;
  healthSet?: string | undefined;
}

/** `runbooks show --json`: the shape the issue fixes, plus `choices` on a role-dependent step. */
export interface ShowJson {
  query: string;
  matchedBy: MatchedBy;
  healthSet: string | null;
  monitor: string | null;
  section: { id: string; title: string; steps: ShowJsonStep[] };
}

export interface ShowJsonStep {
  id: string;
  number: string;
  kind: string;
  text: string;
  command?: string;
  /** Only when the server role is unknown and the step depends on it: one command per role. */
  choices?: { role: ServerRole; command: string }[];
  action?: string;
  condition?: string;
  steps?: ShowJsonStep[];
}

const defaultIo: RunbooksIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  catalog: () => loadCatalog({ operatorDir: loadConfig(process.env).runbooksDir }),
  validate: validateRunbookDir,
};

export function registerRunbooks(program: Command, io: RunbooksIo = defaultIo): void {
  const runbooks = program
    .command('runbooks')
    .summary('list, show and validate runbooks')
    .description(
      'The runbook catalogue: list it, show the section for an alert, check a runbook directory.\n\n' +
        'Shipped runbooks come from runbooks/ in the package; the directory in RUNBOOKS_DIR adds ' +
        'health sets or overrides shipped sections by id. The file format is in docs/runbooks.md.',
    );

  runbooks
    .command('list')
    .summary('list health sets, probes and monitors')
    .description(
      'List every health set with its probes and monitors (aliases included) and the section ' +
        'each monitor opens.',
    )
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const catalog = io.catalog();
      io.out(opts.json ? `${JSON.stringify(listJson(catalog), null, 2)}\n` : formatList(catalog));
    });

  runbooks
    .command('show')
    .summary('show the section for a monitor, probe or health set')
    .description(
      'Show the runbook section for a monitor, a probe or a health set, as the bot would post it, ' +
        'with every command bound to --server.\n\n' +
        'Monitor names match in any case and by alias (PopTestDeepMonitor, POPCTPMonitor). A ' +
        'monitor that exists in several health sets is chosen with --health-set or written ' +
        'POP\\AverageCommandProcessingTimeGt60sMonitor (else the candidates are listed and the ' +
        'exit status is 2). A probe shows the section of its first ' +
        'monitor, a health set its verify procedure; anything unknown shows the generic verify ' +
        'procedure. Without --server, commands show <server> and cannot run.',
    )
    .argument(
      '<monitor|probe|health-set>',
      'what the alert names, e.g. PopCTPMonitor, PopCTPProbe or POP',
    )
    .addOption(new Option('--lang <lang>', 'language of the texts').choices(LANGS).default('en'))
    .option('--server <name>', 'bind commands to this server (else they show <server>)')
    .option('--related-server <name>', 'the mailbox server behind a CTP failure (_Mbx:)')
    .addOption(
      new Option(
        '--role <role...>',
        "the server's role(s), deciding role-dependent steps (else both variants are shown)",
      ).choices(SERVER_ROLES),
    )
    .option('--health-set <name>', "the alert's health set, to choose among same-named monitors")
    .option('--json', 'print the matched section as JSON (see docs/runbooks.md)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  exchange-chatops runbooks show PopCTPMonitor --server CAS01.contoso.com\n' +
        '  exchange-chatops runbooks show AverageCommandProcessingTimeGt60sMonitor --health-set POP --role mailbox\n' +
        '  exchange-chatops runbooks show POP.Protocol --lang zh-TW --json',
    )
    .action((query: string, opts: ShowOptions & { json?: boolean }) => {
      const catalog = io.catalog();
      const { json, card, alternatives } = showRunbook(catalog, query, opts);
      if (alternatives.length > 0) {
        // Ambiguous: showing one of them would silently pick a health set the alert may not have.
        const candidates = [`${json.healthSet ?? ''}\\${json.monitor ?? query}`, ...alternatives];
        io.err(ambiguousMonitorText(opts.lang ?? 'en', query, candidates, catalog));
        process.exitCode = 2;
        return;
      }
      for (const [flag, name] of [
        ['--server', opts.server],
        ['--related-server', opts.relatedServer],
      ] as const) {
        const ref = name === undefined ? null : toServerRef(name);
        if (ref && !ref.valid) {
          io.err(
            `note: ${flag} ${JSON.stringify(name)}: ${ref.reason}; its commands show a placeholder.\n`,
          );
        }
      }
      io.out(opts.json ? `${JSON.stringify(json, null, 2)}\n` : formatCard(card));
    });

  runbooks
    .command('validate')
    .summary('check a runbook directory')
    .description(
      'Check a runbook directory as RUNBOOKS_DIR would load it, on top of the shipped runbooks: ' +
        'schema, step kinds, action ids, parameter bindings, ids, conditions and goto targets.\n\n' +
        'Prints OK, or every problem as <file>: <path>: <reason> and exits with status 1.',
    )
    .argument('<dir>', 'directory of .yaml, .yml or .json runbook files')
    .action((dir: string) => {
      const result = io.validate(dir);
      (result.ok ? io.out : io.err)(`${result.lines.join('\n')}\n`);
      if (!result.ok) process.exitCode = 1;
    });
}

/** Matches a query and renders it, for both the JSON and the text output. Pure. */
export function showRunbook(
  catalog: Catalog,
  query: string,
  opts: ShowOptions = {},
): { json: ShowJson; card: Card; alternatives: string[] } {
  const match = matchQuery(catalog, query, opts.healthSet);
  const lang = opts.lang ?? 'en';
  const context = cardContextFromMatch(
    match,
    {
      server: opts.server ? toServerRef(opts.server) : null,
      relatedServer: opts.relatedServer ? toServerRef(opts.relatedServer) : null,
      roles: opts.role && opts.role.length > 0 ? opts.role : null,
      monitor: match.monitor?.name ?? null,
    },
    catalog,
  );
  const card = buildRunbookCard(match.section, context, lang);
  const toJson = (s: CardStep): ShowJsonStep => {
    const step: ShowJsonStep = { id: s.id, number: s.number, kind: s.kind, text: s.text };
    const [only, ...more] = s.commands;
    if (only && more.length === 0) step.command = only.text;
    if (only && more.length > 0) {
      step.choices = s.commands.map((c) => ({ role: c.role ?? 'mailbox', command: c.text }));
    }
    if (only) step.action = only.actionId;
    if (s.condition) step.condition = s.condition;
    if (s.steps.length > 0) step.steps = s.steps.map(toJson);
    return step;
  };
  return {
    json: {
      query,
      matchedBy: match.matchedBy,
      healthSet: match.healthSet,
      monitor: match.monitor?.name ?? null,
      section: { id: match.section.id, title: card.title, steps: card.steps.map(toJson) },
    },
    card,
    alternatives: match.alternatives.map((m) => `${m.healthSet}\\${m.name}`),
  };
}

/** The candidates of an ambiguous monitor name, each with its section, and how to choose. */
function ambiguousMonitorText(
  lang: Lang,
  query: string,
  candidates: string[],
  catalog: Catalog,
): string {
  const lines = candidates.map((c) => {
    const [healthSet = '', monitor = ''] = c.split('\\');
    const found = catalog.monitors.find((m) => m.healthSet === healthSet && m.name === monitor);
    const section = found ? catalog.sections.get(found.section) : undefined;
    const title = section ? ` (${found?.section}: ${pickText(section.title, lang)})` : '';
    return `  ${c}${title}`;
  });
  const sets = candidates.map((c) => c.split('\\')[0] ?? '');
  return [
    t(lang, 'cli.runbooks.ambiguous', { query }),
    ...lines,
    t(lang, 'cli.runbooks.chooseWith', {
      flag: `--health-set ${sets.join('|')}`,
      qualified: candidates.join(t(lang, 'list.or')),
    }),
    '',
  ].join('\n');
}

export function validateRunbookDir(dir: string): ValidateResult {
  let files;
  try {
    files = readRunbookFiles(dir);
  } catch (err) {
    return { ok: false, lines: [err instanceof Error ? err.message : String(err)] };
  }
  if (files.length === 0) {
    return { ok: false, lines: [`${dir}: no .yaml, .yml or .json files`] };
  }
  const result = catalogFromTexts([
    { layer: 'shipped', files: readRunbookFiles(shippedRunbooksDir()) },
    { layer: 'operator', files },
  ]);
  if (!result.ok) {
    return {
      ok: false,
      lines: [
        `${dir}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`,
        ...result.issues.map((i) => `  - ${formatIssue(i)}`),
      ],
    };
  }
  const c = result.catalog;
  const ours = [...c.sections.values()].filter((s) => s.layer === 'operator');
  return {
    ok: true,
    lines: [
      `${dir}: OK (${files.length} file${files.length === 1 ? '' : 's'}, ${ours.length} section` +
        `${ours.length === 1 ? '' : 's'}, ${ours.reduce((n, s) => n + flattenSteps(s.steps).length, 0)} steps)`,
    ],
  };
}

function listJson(catalog: Catalog) {
  return catalog.runbooks.map((rb) => ({
    id: rb.id,
    title: rb.title.en,
    source: rb.source.kind,
    file: rb.file,
    healthSets: catalog.healthSets
      .filter((h) => h.runbookId === rb.id)
      .map((h) => ({
        name: h.name,
        verifySection: h.verifySection,
        probes: catalog.probes.filter((p) => p.healthSet === h.name).map((p) => p.name),
        monitors: catalog.monitors
          .filter((m) => m.healthSet === h.name)
          .map((m) => ({
            name: m.name,
            aliases: m.aliases,
            probe: m.probe ?? null,
            section: m.section,
          })),
      })),
  }));
}

function formatList(catalog: Catalog): string {
  const lines: string[] = [];
  for (const rb of catalog.runbooks) {
    const sets = catalog.healthSets.filter((h) => h.runbookId === rb.id);
    if (sets.length === 0) continue;
    lines.push(`${pickText(rb.title, 'en')}  [${rb.source.kind}, ${rb.file}]`);
    for (const h of sets) {
      lines.push(`  ${h.name}  (verify: ${h.verifySection})`);
      for (const p of catalog.probes.filter((x) => x.healthSet === h.name)) {
        lines.push(`    probe    ${p.name}`);
      }
      for (const m of catalog.monitors.filter((x) => x.healthSet === h.name)) {
        const aka = m.aliases.length > 0 ? ` (also ${m.aliases.join(', ')})` : '';
        const probe = m.probe ? ` <- ${m.probe}` : '';
        lines.push(`    monitor  ${m.name}${aka}${probe} -> ${m.section}`);
      }
    }
    lines.push('');
  }
  lines.push('Unknown health sets get the generic verify procedure (generic-verify).');
  return `${lines.join('\n')}\n`;
}

/** Columns a label takes in a terminal: CJK characters take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        ch,
      )
        ? 2
        : 1;
  return width;
}

/** The card as plain text, for a terminal. */
export function formatCard(card: Card): string {
  const lines: string[] = [card.title, card.subtitle ?? ''];
  if (card.summary) lines.push('', card.summary);
  lines.push('');
  const note = t(card.lang, 'card.note');
  const width = Math.max(...card.facts.map((f) => displayWidth(f.label)));
  for (const f of card.facts) {
    lines.push(`  ${f.label}${' '.repeat(width - displayWidth(f.label))}  ${f.value}`);
  }
  for (const n of card.notes) lines.push('', `  ${note}: ${n}`);
  lines.push('');
  const step = (s: CardStep) => {
    const pad = '   '.repeat(s.depth);
    lines.push(`${pad}${s.number}. [${s.kindLabel}] ${s.text}`);
    const more = `${pad}    `;
    if (s.condition) lines.push(`${more}${s.condition}`);
    if (s.timing) lines.push(`${more}${s.timing}`);
    for (const c of s.commands) {
      lines.push(`${more}PS> ${c.text}${c.roleLabel ? `    # ${c.roleLabel}` : ''}`);
    }
    if (s.blockedReason) lines.push(`${more}${s.blockedReason}`);
    for (const n of s.notes) lines.push(`${more}${note}: ${n}`);
    for (const l of s.links) lines.push(`${more}${l.title}: ${l.url}`);
    s.steps.forEach(step);
  };
  card.steps.forEach(step);
  if (card.links.length > 0) {
    lines.push('');
    for (const l of card.links) lines.push(`${l.title}: ${l.url}`);
  }
  return `${lines.join('\n')}\n`;
}
