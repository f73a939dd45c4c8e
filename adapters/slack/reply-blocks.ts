import type { CodeBlock, Reply } from '../../src/app/chat/ports';
import type { Lang } from '../../src/domain/runbooks/text';
import { t } from '../../src/domain/strings';
import {
  LIMITS,
  code,
  cut,
  esc,
  fallbackText,
  mrkdwnSection,
  safeUrl,
  type Block,
  type SlackMessage,
} from './block-kit';
import { renderCardBlocks } from './card-blocks';
import { tableSection } from './table-blocks';

/** Command answers and step outputs: their text, their code blocks, their card if any. */

/**
 * The raw output behind a reply's tables. Slack cannot fold a block, so it comes after the
 * tables: as a link when the whole output has a page of its own, else as a code block.
 */
function rawSection(block: CodeBlock, lang: Lang): Block {
  if (!block.fullTextUrl) return codeSection(block, lang);
  const title = block.title ? `${cut(esc(block.title), 200)}: ` : '';
  return mrkdwnSection(
    `_${title}<${safeUrl(block.fullTextUrl)}|${esc(t(lang, 'reply.fullOutput'))}>_`,
  );
}

function codeSection(block: CodeBlock, lang: Lang): Block {
  const title = block.title ? `*${cut(esc(block.title), 200)}*\n` : '';
  const url = block.fullTextUrl
    ? ` <${safeUrl(block.fullTextUrl)}|${t(lang, 'reply.fullOutput')}>`
    : '';
  // Room for the note "…(N more characters)" and the link.
  const noteRoom = 60 + url.length;
  const c = code(block.body, LIMITS.sectionText - title.length - noteRoom);
  const omitted =
    c.omitted +
    (block.truncatedFrom !== undefined ? Math.max(0, block.truncatedFrom - block.body.length) : 0);
  const note =
    omitted > 0
      ? `\n_${t(lang, 'slack.moreChars', { count: omitted })}_${url}`
      : url
        ? `\n${url.trim()}`
        : '';
  return mrkdwnSection(`${title}${c.text}${note}`);
}

/** A reply: its text, its code blocks, and its card if any, within the limits. */
export function renderReplyBlocks(
  reply: Reply,
  lang: Lang = reply.lang ?? reply.card?.lang ?? 'en',
): SlackMessage {
  const blocks: Block[] = [];
  if (reply.text.trim().length > 0) blocks.push(mrkdwnSection(esc(reply.text)));
  const codes = reply.code ?? [];
  // Parsed output first, the raw text after it; room is kept for the code blocks and a card.
  const tables = reply.tables ?? [];
  const tableRoom = LIMITS.blocks - blocks.length - codes.length - (reply.card ? 12 : 0);
  for (const tb of tables.slice(0, Math.max(0, tableRoom))) blocks.push(tableSection(tb, lang));
  // Leave room for a card: the card's own rendering degrades into whatever is left.
  const codeRoom = LIMITS.blocks - blocks.length - (reply.card ? 12 : 0);
  for (const c of codes.slice(0, Math.max(0, codeRoom))) {
    blocks.push(c.raw && tables.length > 0 ? rawSection(c, lang) : codeSection(c, lang));
  }
  if (codes.length > codeRoom && codeRoom > 0) {
    blocks[blocks.length - 1] = mrkdwnSection(
      `_${t(lang, 'slack.moreChars', { count: codes.slice(codeRoom - 1).reduce((n, c) => n + c.body.length, 0) })}_`,
    );
  }
  if (reply.card) {
    const card = renderCardBlocks(reply.card, LIMITS.blocks - blocks.length);
    blocks.push(...card.blocks);
  }
  const text = reply.text.trim().length > 0 ? reply.text : (reply.card?.fallbackText ?? '…');
  return { text: fallbackText(text), blocks };
}
