import { HOSTILE, hostileCard } from '../../test/support/hostile-text';
import { cardActivity, replyActivity } from './activities';
import { escapeXml } from './escape';
import { renderAdaptiveCard, type AcJson } from './render-adaptive-card';

/** Every node of an Adaptive Card that Teams reads as markdown, with its text. */
function markdownTexts(json: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const o = node as AcJson;
    if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
    if (o.type === 'FactSet' && Array.isArray(o.facts)) {
      for (const f of o.facts as { title: string; value: string }[]) out.push(f.title, f.value);
    }
    Object.values(o).forEach(walk);
  };
  walk(json);
  return out;
}

describe('Teams: alert text cannot mention or link', () => {
  const card = hostileCard();

  it('the card and its replies put alert text only where Teams shows it verbatim', () => {
    const renderings = [
      renderAdaptiveCard(card),
      renderAdaptiveCard(card, { text: HOSTILE }),
      cardActivity(card),
      replyActivity({ text: HOSTILE, card }),
      replyActivity({ text: HOSTILE, code: [{ title: HOSTILE, body: HOSTILE }] }),
      replyActivity({
        text: HOSTILE,
        tables: [
          {
            title: HOSTILE,
            columns: [{ key: 'a', label: HOSTILE }],
            rows: [{ cells: [HOSTILE], tone: 'attention' }],
          },
        ],
        code: [{ title: HOSTILE, body: HOSTILE, raw: true }],
      }),
      renderAdaptiveCard({
        ...card,
        steps: card.steps.map((st) => ({
          ...st,
          evidence: {
            verdict: HOSTILE,
            tone: 'attention',
            tables: [{ title: HOSTILE, columns: [{ key: 'a', label: HOSTILE }], rows: [] }],
          },
        })),
      }),
    ];
    for (const r of renderings) {
      expect(JSON.stringify(r)).toContain('evil.example');
      expect(markdownTexts(r).filter((x) => /\]\(|<at>|<b>|\*bold\*/.test(x))).toEqual([]);
    }
  });

  it('a text-only reply is plain text (no markdown, no xml)', () => {
    expect(replyActivity({ text: HOSTILE })).toMatchObject({ text: HOSTILE, textFormat: 'plain' });
  });

  it('xml text (the thread reply that mentions the clicker) carries no tag', () => {
    const x = escapeXml(HOSTILE);
    expect(x).not.toMatch(/[<>]/);
    expect(x).toContain('&#60;at&#62;Ana&#60;/at&#62;');
  });
});
