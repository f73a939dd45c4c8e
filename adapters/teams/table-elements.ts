import type { CardEvidence, CardTable, CardTone } from '../../src/domain/cards/card';
import type { Lang } from '../../src/domain/runbooks/text';
import { shortTime } from '../../src/domain/shared/text';
import { plural, t } from '../../src/domain/strings';

/**
 * Tables for Teams (a step's parsed output, a pre-check's evidence): the Adaptive Card `Table`
 * element of schema 1.5, which the renderer declares. Pure. Its own small text helper keeps this
 * file free of render-adaptive-card.ts (which imports it).
 */

type AcJson = { [key: string]: unknown };

interface Run {
  text: string;
  weight?: 'Bolder';
  size?: 'Small';
  color?: 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';
  isSubtle?: boolean;
  italic?: boolean;
}

/** Verbatim text (TextRuns are not markdown), as everywhere in the Teams cards. */
function text(runs: Run[], extra: AcJson = {}): AcJson {
  return {
    type: 'RichTextBlock',
    ...extra,
    inlines: runs.filter((r) => r.text !== '').map((r) => ({ type: 'TextRun', ...r })),
  };
}

/** A tone's text colour, for a card's status line and a verdict alike. */
export function toneColor(tone: CardTone | 'good'): Run['color'] {
  switch (tone) {
    case 'good':
      return 'Good';
    case 'warning':
      return 'Warning';
    case 'attention':
      return 'Attention';
    default:
      return 'Accent';
  }
}

/** How many rows of a table fit in `chars` of the card (a cell costs about 130 bytes of JSON). */
export function rowsFor(table: CardTable, chars: number): number {
  const perRow = 40 + 130 * Math.max(1, table.columns.length);
  return Math.max(2, Math.min(50, Math.floor(chars / perRow)));
}

const TABLE_CELL_MAX = 200;

/**
 * A `CardTable` as the Adaptive Card `Table` (schema 1.5): the header row first
 * (`firstRowAsHeaders`), column widths weighted by their longest text, numbers aligned right, a
 * row's tone as its style. Cells hold RichTextBlocks, shown verbatim like every other text here.
 */
export function tableElements(table: CardTable, lang: Lang, maxRows: number): AcJson[] {
  const out: AcJson[] = [];
  if (table.title) out.push(text([{ text: table.title, weight: 'Bolder' }]));
  const clip = (value: string) =>
    value.length > TABLE_CELL_MAX ? `${value.slice(0, TABLE_CELL_MAX - 1)}…` : value;
  const rows = table.rows.slice(0, maxRows);
  const widths = table.columns.map((c, i) =>
    Math.max(c.label.length, ...rows.map((r) => Math.min(40, (r.cells[i] ?? '').length))),
  );
  const cell = (value: string, header: boolean): AcJson => ({
    type: 'TableCell',
    items: [
      text([
        {
          text: clip(value) || ' ',
          size: 'Small',
          ...(header ? { weight: 'Bolder' as const } : {}),
        },
      ]),
    ],
  });
  const header: AcJson = {
    type: 'TableRow',
    cells: table.columns.map((c) => cell(c.label, true)),
  };
  const body: AcJson[] = rows.map((r) => ({
    type: 'TableRow',
    ...(r.tone ? { style: rowStyle(r.tone) } : {}),
    cells: table.columns.map((_, i) => cell(r.cells[i] ?? '', false)),
  }));
  if (rows.length === 0) {
    body.push({
      type: 'TableRow',
      cells: table.columns.map((_, i) => cell(i === 0 ? t(lang, 'table.noRows') : '', false)),
    });
  }
  out.push({
    type: 'Table',
    spacing: 'Small',
    firstRowAsHeaders: true,
    showGridLines: true,
    columns: table.columns.map((c, i) => ({
      // Relative weights: a long monitor name gets room, a queue length little.
      width: Math.max(1, Math.min(6, Math.ceil((widths[i] ?? 1) / 8))),
      ...(c.align === 'right' ? { horizontalCellContentAlignment: 'Right' } : {}),
    })),
    rows: [header, ...body],
  });
  const omitted = table.rows.length - rows.length + (table.omittedRows ?? 0);
  if (omitted > 0) {
    out.push(
      text([{ text: plural(lang, 'table.moreRows', omitted), isSubtle: true, italic: true }], {
        spacing: 'Small',
      }),
    );
  }
  return out;
}

function rowStyle(tone: CardTone | 'good'): string {
  return tone === 'attention'
    ? 'attention'
    : tone === 'warning'
      ? 'warning'
      : tone === 'good'
        ? 'good'
        : 'default';
}

/** A pre-check's evidence on its step: the verdict in its colour, then its tables. */
export function evidenceElements(evidence: CardEvidence, lang: Lang, maxRows: number): AcJson[] {
  const out: AcJson[] = [
    text([
      { text: evidence.verdict, weight: 'Bolder', color: toneColor(evidence.tone) },
      ...(evidence.checkedAt
        ? [
            {
              text: `  ${t(lang, 'table.checkedAt', { at: shortTime(evidence.checkedAt) })}`,
              isSubtle: true,
            },
          ]
        : []),
    ]),
  ];
  if (maxRows > 0)
    for (const table of evidence.tables) out.push(...tableElements(table, lang, maxRows));
  return out;
}
