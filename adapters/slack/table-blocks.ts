import type { CardEvidence, CardTable, CardTone } from '../../src/domain/cards/card';
import type { Lang } from '../../src/domain/runbooks/text';
import { shortTime } from '../../src/domain/shared/text';
import { plural, t } from '../../src/domain/strings';
import { LIMITS, cut, esc, mrkdwnSection, type Block } from './block-kit';

/**
 * A `CardTable` as Block Kit: aligned monospace text in a code block (section fields hold only
 * two columns, and a table of monitors has five). Columns are padded by display width, so the
 * Traditional Chinese headers (two columns wide each) line up too. Rows that do not fit in one
 * section's 3,000 characters are cut and counted ("… and 12 more rows"); the raw output has them.
 */

export const TONE_EMOJI: Record<CardTone | 'good', string> = {
  info: ':information_source:',
  warning: ':warning:',
  attention: ':rotating_light:',
  good: ':large_green_circle:',
};

/** A cell is cut to this display width, so one long error message cannot push the columns away. */
const MAX_CELL = 48;
const GAP = '  ';

/** East Asian wide and fullwidth characters take two columns in a monospace font. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x200b) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

/** One line, at most `max` columns wide (with "…"). */
function fitCell(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (displayWidth(flat) <= max) return flat;
  let out = '';
  let w = 0;
  for (const ch of flat) {
    const cw = displayWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** The table's lines: header, rule, rows. Rows a tone marks get `!` in a first column. */
export function tableLines(table: CardTable, lang: Lang): { head: string[]; rows: string[] } {
  const marked = table.rows.some((r) => r.tone === 'attention' || r.tone === 'warning');
  const cells = table.rows.map((r) =>
    table.columns.map((_, i) => fitCell(r.cells[i] ?? '', MAX_CELL)),
  );
  const labels = table.columns.map((c) => fitCell(c.label, MAX_CELL));
  const widths = table.columns.map((_, i) =>
    Math.max(displayWidth(labels[i]!), ...cells.map((row) => displayWidth(row[i]!))),
  );
  const line = (values: string[], mark: string) =>
    (marked ? `${mark} ` : '') +
    values
      .map((v, i) => pad(v, widths[i]!, table.columns[i]?.align))
      .join(GAP)
      .trimEnd();
  const head = [
    line(labels, ' '),
    line(
      widths.map((w) => '-'.repeat(w)),
      ' ',
    ),
  ];
  const rows = table.rows.map((r, i) =>
    line(cells[i]!, r.tone === 'attention' || r.tone === 'warning' ? '!' : ' '),
  );
  if (rows.length === 0) rows.push(line([t(lang, 'table.noRows')], ' '));
  return { head, rows };
}

/** Inside a code fence: Slack's three characters escaped, a "```" kept inert. */
function inCode(line: string): string {
  return esc(line.replace(/```/g, '`\u200b``'));
}

/** A table as mrkdwn of at most `max` characters: its title, the code block, the "more" line. */
export function tableText(table: CardTable, lang: Lang, max: number = LIMITS.sectionText): string {
  const title = table.title ? `*${cut(esc(table.title), 200)}*\n` : '';
  const { head, rows } = tableLines(table, lang);
  const moreRoom = 80;
  let room = max - title.length - 7 - moreRoom;
  const shown: string[] = [];
  for (const l of head) {
    const e = inCode(l);
    if (e.length + 1 > room) break;
    shown.push(e);
    room -= e.length + 1;
  }
  let kept = 0;
  for (const l of rows) {
    const e = inCode(l);
    if (e.length + 1 > room) break;
    shown.push(e);
    room -= e.length + 1;
    kept++;
  }
  const dataRows = table.rows.length;
  const omitted = Math.max(0, dataRows - kept) + (table.omittedRows ?? 0);
  const more = omitted > 0 ? `\n_${esc(plural(lang, 'table.moreRows', omitted))}_` : '';
  // A table too wide for even its header: its lines are cut rather than the message refused.
  const body = shown.length > 0 ? shown.join('\n') : cut(inCode(head[0] ?? ''), Math.max(1, room));
  // A newline after the fence (Slack drops it) keeps the header's first column where it belongs.
  return cut(`${title}\`\`\`\n${body}\`\`\`${more}`, max);
}

export function tableSection(table: CardTable, lang: Lang): Block {
  return mrkdwnSection(tableText(table, lang));
}

/** A pre-check's evidence on a step: its verdict line, then its tables, one section each. */
export function evidenceBlocks(evidence: CardEvidence, lang: Lang, maxTables = Infinity): Block[] {
  const at = evidence.checkedAt
    ? `  _${esc(t(lang, 'table.checkedAt', { at: shortTime(evidence.checkedAt) }))}_`
    : '';
  return [
    mrkdwnSection(`${TONE_EMOJI[evidence.tone]} *${esc(evidence.verdict)}*${at}`),
    ...evidence.tables.slice(0, maxTables).map((tb) => tableSection(tb, lang)),
  ];
}

/** The verdict alone, for a step drawn in one line. */
export function evidenceLine(evidence: CardEvidence): string {
  return `${TONE_EMOJI[evidence.tone]} ${esc(evidence.verdict)}`;
}
