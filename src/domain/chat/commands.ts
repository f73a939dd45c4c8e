import { z } from 'zod';
import { checkHostName } from '../alerts/host-name';
import { healthSetName, probeName } from '../actions/params';
import { LANGS, type Lang } from '../runbooks/text';
import { clip } from '../shared/text';
import { inAllLangs, t } from '../strings';

/**
 * The `/exchange` sub-commands, shared by Slack, Teams and the console. Parsing is pure and
 * strict: anything that is not one of these, with valid arguments, becomes a usage message.
 */
export type ChatCommand =
  | { name: 'help' }
  | { name: 'health'; server: string; healthSet?: string }
  | { name: 'probe'; server: string; healthSet: string; probe: string }
  | { name: 'runbook'; query: string }
  | { name: 'incidents' }
  | { name: 'incident'; id: string }
  | { name: 'jobs' }
  | { name: 'audit'; subject?: string }
  | { name: 'workers' }
  | { name: 'lang'; lang: Lang };

export type CommandName = ChatCommand['name'];

export interface CommandUsage {
  name: CommandName;
  usage: string;
  summary: { en: string; 'zh-TW': string };
}

/** In the order `help` lists them; each summary is `command.summary.<name>` in the catalogue. */
export const COMMANDS: readonly CommandUsage[] = (
  [
    ['health', 'health <server> [health-set]'],
    ['probe', 'probe <server> <HealthSet\\Probe>'],
    ['runbook', 'runbook <monitor|probe|health-set>'],
    ['incidents', 'incidents'],
    ['incident', 'incident <id>'],
    ['jobs', 'jobs'],
    ['audit', 'audit [server|incident]'],
    ['workers', 'workers'],
    ['lang', 'lang en|zh-TW'],
    ['help', 'help'],
  ] as const
).map(([name, usage]) => ({ name, usage, summary: inAllLangs(`command.summary.${name}`) }));

export type ParseResult =
  { ok: true; command: ChatCommand } | { ok: false; error: string; usage: string | null };

const incidentId = z.string().regex(/^INC-\d{1,12}$/i, 'an incident id looks like INC-42');

function usageOf(name: CommandName): string {
  return COMMANDS.find((c) => c.name === name)?.usage ?? name;
}

const fail = (name: CommandName | null, error: string): ParseResult => ({
  ok: false,
  error,
  usage: name ? usageOf(name) : null,
});

function server(name: CommandName, word: string | undefined): string | ParseResult {
  if (word === undefined) return fail(name, t('en', 'said.parse.noServer'));
  const problem = checkHostName(word);
  return problem === null
    ? word
    : fail(name, t('en', 'said.parse.badServer', { input: clipInput(word), problem }));
}

/** Parses what followed `/exchange` (or the bot's @mention). Never throws. */
export function parseCommand(text: string): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { ok: true, command: { name: 'help' } };
  const name = first.toLowerCase();
  const tooMany = (max: number, cmd: CommandName): ParseResult | null =>
    rest.length > max ? fail(cmd, t('en', 'said.parse.tooMany', { input: cmd })) : null;

  switch (name) {
    case 'help':
    case '?':
      return { ok: true, command: { name: 'help' } };
    case 'health': {
      const s = server('health', rest[0]);
      if (typeof s !== 'string') return s;
      const extra = tooMany(2, 'health');
      if (extra) return extra;
      if (rest[1] === undefined) return { ok: true, command: { name: 'health', server: s } };
      const set = healthSetName.safeParse(rest[1]);
      if (!set.success)
        return fail('health', t('en', 'said.parse.badHealthSet', { input: clipInput(rest[1]) }));
      return { ok: true, command: { name: 'health', server: s, healthSet: set.data } };
    }
    case 'probe': {
      const s = server('probe', rest[0]);
      if (typeof s !== 'string') return s;
      const extra = tooMany(2, 'probe');
      if (extra) return extra;
      const identity = rest[1];
      if (identity === undefined) return fail('probe', t('en', 'said.parse.noProbe'));
      const m = /^([^\\/]+)[\\/]([^\\/]+)$/.exec(identity);
      if (!m) return fail('probe', t('en', 'said.parse.probeForm'));
      const set = healthSetName.safeParse(m[1]);
      const probe = probeName.safeParse(m[2]);
      if (!set.success || !probe.success) {
        return fail('probe', t('en', 'said.parse.badProbe', { input: clipInput(identity) }));
      }
      return {
        ok: true,
        command: { name: 'probe', server: s, healthSet: set.data, probe: probe.data },
      };
    }
    case 'runbook': {
      const query = rest.join(' ');
      if (query === '') return fail('runbook', t('en', 'said.parse.noQuery'));
      if (query.length > 200 || !/^[A-Za-z0-9_.\\/ -]+$/.test(query)) {
        return fail('runbook', t('en', 'said.parse.badQuery', { input: clipInput(query) }));
      }
      return { ok: true, command: { name: 'runbook', query } };
    }
    case 'incidents':
    case 'jobs':
    case 'workers': {
      const extra = tooMany(0, name);
      return extra ?? { ok: true, command: { name } };
    }
    case 'incident': {
      const id = incidentId.safeParse(rest[0] ?? '');
      if (!id.success || rest.length !== 1) {
        return fail(
          'incident',
          rest[0]
            ? t('en', 'said.parse.badIncident', { input: clipInput(rest[0]) })
            : t('en', 'said.parse.noIncident'),
        );
      }
      return { ok: true, command: { name: 'incident', id: id.data.toUpperCase() } };
    }
    case 'audit': {
      const extra = tooMany(1, 'audit');
      if (extra) return extra;
      const subject = rest[0];
      if (subject === undefined) return { ok: true, command: { name: 'audit' } };
      if (incidentId.safeParse(subject).success) {
        return { ok: true, command: { name: 'audit', subject: subject.toUpperCase() } };
      }
      const s = server('audit', subject);
      return typeof s === 'string' ? { ok: true, command: { name: 'audit', subject: s } } : s;
    }
    case 'lang': {
      const lang = LANGS.find((l) => l.toLowerCase() === (rest[0] ?? '').toLowerCase());
      if (!lang || rest.length !== 1)
        return fail('lang', t('en', 'said.parse.lang', { langs: LANGS.join(', ') }));
      return { ok: true, command: { name: 'lang', lang } };
    }
    default:
      return fail(null, t('en', 'said.parse.unknown', { input: clipInput(first) }));
  }
}

/** Echoing input back is fine, but not a whole pasted log. */
function clipInput(text: string): string {
  return clip(text, 60);
}
