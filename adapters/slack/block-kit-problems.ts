import { LIMITS, type Block } from './block-kit';

// Checking: for the tests, and as a guard before sending.

/** Every Block Kit limit the message breaks; empty when Slack will take it. */
export function blockKitProblems(blocks: readonly Block[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks > ${LIMITS.blocks}`);
  const textOk = (where: string, t: { text: string } | undefined, max: number) => {
    if (!t) return;
    if (t.text.length === 0) problems.push(`${where}: empty text`);
    if (t.text.length > max) problems.push(`${where}: text ${t.text.length} > ${max}`);
  };
  blocks.forEach((b, i) => {
    const at = `block ${i} (${b.type})`;
    switch (b.type) {
      case 'header':
        textOk(at, b.text, LIMITS.headerText);
        break;
      case 'section':
        textOk(at, b.text, LIMITS.sectionText);
        if (!b.text && !b.fields) problems.push(`${at}: neither text nor fields`);
        if (b.fields && b.fields.length > LIMITS.fields) problems.push(`${at}: > 10 fields`);
        b.fields?.forEach((f, j) => textOk(`${at} field ${j}`, f, LIMITS.fieldText));
        break;
      case 'context':
        if (b.elements.length > LIMITS.contextElements) problems.push(`${at}: > 10 elements`);
        b.elements.forEach((e, j) => {
          if (e.type === 'mrkdwn' || e.type === 'plain_text')
            textOk(`${at} el ${j}`, e, LIMITS.contextText);
        });
        break;
      case 'actions':
        if (b.elements.length > LIMITS.actionsElements) problems.push(`${at}: > 25 elements`);
        if (b.elements.length === 0) problems.push(`${at}: no elements`);
        for (const e of b.elements) {
          if (e.type !== 'button') continue;
          textOk(`${at} button`, e.text, LIMITS.buttonText);
          const id = e.action_id ?? '';
          if (id.length === 0 || id.length > LIMITS.actionId)
            problems.push(`${at}: action_id length ${id.length}`);
          if (ids.has(id)) problems.push(`${at}: duplicate action_id ${id}`);
          ids.add(id);
          if ((e.value ?? '').length > LIMITS.value)
            problems.push(`${at}: value > ${LIMITS.value}`);
          if (e.confirm) {
            textOk(`${at} confirm title`, e.confirm.title, LIMITS.confirmTitle);
            textOk(`${at} confirm text`, e.confirm.text, LIMITS.confirmText);
            textOk(`${at} confirm ok`, e.confirm.confirm, LIMITS.confirmButton);
            textOk(`${at} confirm deny`, e.confirm.deny, LIMITS.confirmButton);
          }
        }
        break;
      default:
        break;
    }
  });
  return problems;
}
