import { describeOutput } from '../../domain/cards/output-summary';
import { outputTables } from '../../domain/cards/output-tables';
import { DEFAULT_LANG, type Lang } from '../../domain/runbooks/text';
import { localizeText, t } from '../../domain/strings';
import type { CodeBlock, Reply } from './ports';

/** Room for a code block in the smallest surface (a Slack section holds 3000 characters). */
export const MAX_CODE = 2600;

export interface ResultLike {
  jobId: string;
  actionId: string;
  status: string;
  summary?: string | undefined;
  command?: string | undefined;
  durationMs: number;
  raw?: string | undefined;
  reason?: string | undefined;
  params?: Record<string, unknown> | undefined;
  /** The worker's parsed output: drawn as tables, and put in words ("restarted 07:49:11Z"). */
  parsed?: unknown;
  finishedAt?: string | undefined;
  /** How the runbook step judged a check's result (the card's badge reads the same). */
  expectation?: 'met' | 'not-met' | 'unreadable' | undefined;
}

const ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  refused: '⛔',
  unknown: '❓',
};

/** A check that ran: the mark says whether it found what the runbook step expects. */
const EXPECTATION_ICON: Record<NonNullable<ResultLike['expectation']>, string> = {
  met: '✅',
  'not-met': '❌',
  unreadable: '⚠️',
};

/** Cuts a long output, keeping its head and tail (errors are usually at the end). */
export function codeBlock(
  body: string,
  title?: string,
  fullTextUrl?: string,
  lang: Lang = DEFAULT_LANG,
): CodeBlock {
  if (body.length <= MAX_CODE) return { title, body };
  const head = body.slice(0, Math.floor(MAX_CODE * 0.6));
  const tail = body.slice(body.length - Math.floor(MAX_CODE * 0.3));
  const leftOut = t(lang, 'result.leftOut', { count: body.length - head.length - tail.length });
  return {
    title,
    body: `${head}\n${leftOut}\n${tail}`,
    truncatedFrom: body.length,
    fullTextUrl,
  };
}

/** A step's or a command's result, for the incident's thread or the channel. Pure. */
export function formatResult(
  result: ResultLike,
  options: { lang: Lang; stepLabel?: string; fullTextUrl?: string },
): Reply {
  const { lang } = options;
  const icon =
    result.status === 'succeeded' && result.expectation
      ? EXPECTATION_ICON[result.expectation]
      : (ICON[result.status] ?? '•');
  const what = options.stepLabel ?? result.actionId;
  const secs = (result.durationMs / 1000).toFixed(1);
  const succeeded = result.status === 'succeeded';
  // In the channel's language and from the output itself; else the run's summary, which is stored
  // in English (the run machine's, the worker's) and shown in the channel's language.
  const described = succeeded ? describeOutput(result, lang) : null;
  const summary = described ?? localizeText(lang, result.summary ?? result.reason ?? result.status);
  const text = t(lang, 'result.text', { icon, what, summary, seconds: secs });
  const tables = succeeded ? outputTables(result.parsed, lang) : [];
  const code: CodeBlock[] = [];
  if (result.command) code.push({ title: t(lang, 'result.command'), body: result.command });
  const output = result.raw ?? result.reason;
  if (output && output.trim() !== '') {
    const title = t(lang, tables.length > 0 ? 'table.rawOutput' : 'result.output');
    const block = codeBlock(output, title, options.fullTextUrl, lang);
    code.push(tables.length > 0 ? { ...block, raw: true } : block);
  }
  return tables.length > 0 ? { text, code, tables, lang } : { text, code, lang };
}
