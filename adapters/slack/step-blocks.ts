import {
  decodeActionRef,
  encodeActionRef,
  type ActionRef,
} from '../../src/domain/cards/action-ref';
import type { Card, CardAction, CardStep, StepState } from '../../src/domain/cards/card';
import type { Lang } from '../../src/domain/runbooks/text';
import { plural, t } from '../../src/domain/strings';
import {
  LIMITS,
  actionsBlocks,
  buttons,
  code,
  cut,
  esc,
  link,
  mrkdwnSection,
  type Block,
  type Ids,
} from './block-kit';
import { evidenceBlocks, evidenceLine } from './table-blocks';

/**
 * A card's steps as Block Kit: each step in full while the budget allows, then collapsed (its
 * sub-steps one line each), and past that "N more steps — open the runbook".
 */

const STEP_EMOJI: Record<StepState, string> = {
  pending: ':white_circle:',
  'not-applicable': ':heavy_minus_sign:',
  blocked: ':no_entry_sign:',
  'awaiting-approval': ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
  done: ':ballot_box_with_check:',
};

function stepHead(step: CardStep, maxLen: number): string {
  const lines = [
    `${step.depth > 0 ? '↳ ' : ''}${STEP_EMOJI[step.state]} *${esc(step.number)}.* ${esc(step.text)}`,
    `_${esc(step.kindLabel)} · ${esc(step.stateLabel)}_`,
  ];
  if (step.condition) lines.push(`_${esc(step.condition)}_`);
  if (step.timing) lines.push(`:stopwatch: ${esc(step.timing)}`);
  if (step.blockedReason) lines.push(`:no_entry_sign: ${esc(step.blockedReason)}`);
  for (const n of step.notes) lines.push(`• ${esc(n)}`);
  if (step.links.length > 0) lines.push(step.links.map(link).join(' · '));
  return cut(lines.join('\n'), maxLen);
}

function stepCommands(step: CardStep, max: number): string {
  if (step.commands.length === 0 || max < 40) return '';
  const per = Math.floor(max / step.commands.length);
  return step.commands
    .map((c) => {
      const label = c.roleLabel ? `*${esc(c.roleLabel)}*\n` : '';
      return label + code(c.text, per - label.length - 1).text;
    })
    .join('\n');
}

/**
 * The step, then each sub-step, each as a section and its buttons. A pre-check's evidence sits
 * between the step and its buttons: the verdict and the copies it was decided on come before the
 * click.
 */
function fullStep(step: CardStep, ids: Ids, lang: Lang): Block[] {
  const head = stepHead(step, 1500);
  const cmds = stepCommands(step, LIMITS.sectionText - head.length - 1);
  const out: Block[] = [mrkdwnSection(cmds ? `${head}\n${cmds}` : head)];
  if (step.evidence) out.push(...evidenceBlocks(step.evidence, lang));
  out.push(...actionsBlocks(buttons(step.actions, ids)));
  for (const sub of step.steps) out.push(...fullStep(sub, ids, lang));
  return out;
}

export function flatten(steps: readonly CardStep[]): CardStep[] {
  return steps.flatMap((s) => [s, ...flatten(s.steps)]);
}

/**
 * One section for the step with its sub-steps as one line each, and at most one actions block
 * with all their buttons (labelled with the sub-step's number, as they no longer sit under it).
 */
function collapsedStep(step: CardStep, ids: Ids): Block[] {
  const subs = flatten(step.steps);
  const subLines = subs.map(
    (s) =>
      `↳ ${STEP_EMOJI[s.state]} *${esc(s.number)}.* ${cut(esc(s.text), 120)} _(${esc(s.kindLabel)})_` +
      (s.evidence ? ` ${cut(evidenceLine(s.evidence), 200)}` : ''),
  );
  const subText = cut(subLines.join('\n'), 1600);
  const verdict = step.evidence ? `\n${cut(evidenceLine(step.evidence), 300)}` : '';
  const head = stepHead(step, 800) + verdict;
  const cmds = stepCommands(step, LIMITS.sectionText - head.length - subText.length - 2);
  const text = [head, cmds, subText].filter((t) => t.length > 0).join('\n');
  const all = [
    ...buttons(step.actions, ids),
    ...subs.flatMap((s) => buttons(s.actions, ids, `${s.number} · `)),
  ].slice(0, LIMITS.actionsElements);
  return [mrkdwnSection(text), ...actionsBlocks(all, 1)];
}

/** A button to the card's own section, for when steps had to be left out. */
function openRunbookAction(card: Card): CardAction | null {
  const refs = [...card.actions, ...flatten(card.steps).flatMap((s) => s.actions)]
    .map((a) => decodeActionRef(a.value))
    .filter((r): r is ActionRef => r !== null);
  const first = refs[0];
  if (!first) return null;
  const ref: ActionRef = {
    v: 1,
    op: 'open-section',
    section: first.section,
    ...(first.incident !== undefined ? { incident: first.incident } : {}),
    ...(first.version !== undefined ? { version: first.version } : {}),
  };
  return {
    id: `more:${first.section}`,
    label: t(card.lang, 'slack.openRunbook'),
    style: 'default',
    value: encodeActionRef(ref),
  };
}

export function stepBlocks(card: Card, room: number, ids: Ids): Block[] {
  // Rendering is pure but button ids are claimed as they are made; render candidates on
  // scratch id sets and render the chosen forms again on the real one.
  const scratch = (): Ids => ({ used: new Set(ids.used) });
  const full = card.steps.map((s) => fullStep(s, scratch(), card.lang).length);
  const collapsed = card.steps.map((s) => collapsedStep(s, scratch()).length);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  if (sum(full) <= room) return card.steps.flatMap((s) => fullStep(s, ids, card.lang));

  if (sum(collapsed) <= room) {
    // Start collapsed, then open steps in order while the budget allows.
    let slack = room - sum(collapsed);
    const open = card.steps.map((_, i) => {
      const extra = (full[i] ?? 0) - (collapsed[i] ?? 0);
      if (extra <= slack) {
        slack -= extra;
        return true;
      }
      return false;
    });
    return card.steps.flatMap((s, i) =>
      open[i] ? fullStep(s, ids, card.lang) : collapsedStep(s, ids),
    );
  }

  // Even collapsed the steps do not fit: show what fits and point to the runbook for the rest.
  if (room < 1) return [];
  const more = room >= 2 ? openRunbookAction(card) : null;
  const reserve = more ? 2 : 1;
  const out: Block[] = [];
  let shown = 0;
  for (const s of card.steps) {
    const n = collapsedStep(s, scratch()).length;
    if (out.length + n > room - reserve) break;
    out.push(...collapsedStep(s, ids));
    shown++;
  }
  const rest = card.steps.length - shown;
  const links = card.links.length > 0 ? `\n${card.links.slice(0, 10).map(link).join(' · ')}` : '';
  out.push(
    mrkdwnSection(`:page_facing_up: *${esc(plural(card.lang, 'slack.moreSteps', rest))}*${links}`),
  );
  if (more) out.push(...actionsBlocks(buttons([more], ids), 1));
  return out;
}
