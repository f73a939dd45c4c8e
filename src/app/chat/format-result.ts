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
  // Summaries and reasons are stored in English (the run machine's, the worker's).
  const summary = localizeText(lang, result.summary ?? result.reason ?? result.status);
  const text = t(lang, 'result.text', { icon, what, summary, seconds: secs });
  const code: CodeBlock[] = [];
  if (result.command) code.push({ title: t(lang, 'result.command'), body: result.command });
  const output = result.raw ?? result.reason;
  if (output && output.trim() !== '') {
    code.push(codeBlock(output, t(lang, 'result.output'), options.fullTextUrl, lang));
  }
  return { text, code };
}
