import type { ChatResponse } from '../../src/app/chat/ports';
import { createLogger } from '../../src/infra/logger';
import { HOSTILE, hostileCard } from '../../test/support/hostile-text';
import type { SlackContext } from './context';
import { deliver, tell } from './replies';
import { createSlackSurface, type SlackWebClient } from './surface';

/**
 * Everything Slack parses as mrkdwn (a message's top-level `text`, which is also the
 * notification, and every mrkdwn element of its blocks) must carry alert text inert: no channel
 * ping, no mention, no link. plain_text elements are not parsed and may show it as it is.
 */
function parsedTexts(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, false);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.text === 'string' && (top || o.type === 'mrkdwn')) out.push(o.text);
    for (const [k, v] of Object.entries(o))
      if (k !== 'text' || typeof v !== 'string') walk(v, false);
  };
  walk(payload, true);
  return out;
}

// The runbook's own links (<https://technet…|title>) are ours; the alert's must not form.
const LIVE = /<[!@#]|<https?:\/\/evil|<mailto:/;

function recordingClient(calls: unknown[]): SlackWebClient {
  const record = async (args: unknown) => {
    calls.push(args);
    return { ok: true, ts: '1.1', channel: 'C1' };
  };
  return {
    chat: { postMessage: record, update: record, postEphemeral: record },
  } as unknown as SlackWebClient;
}

describe('Slack: alert text cannot ping, mention or link', () => {
  const card = hostileCard();

  it('the card names the hostile text somewhere (so the test means something)', () => {
    expect(JSON.stringify(card)).toContain('<!channel>');
  });

  it('postCard, updateCard, postInThread and postToChannel send it escaped, text and blocks', async () => {
    const calls: unknown[] = [];
    const surface = createSlackSurface(recordingClient(calls));
    const ref = await surface.postCard('C1', card);
    await surface.updateCard(ref, card);
    await surface.postInThread(ref, { text: HOSTILE, card });
    await surface.postToChannel('C1', { text: HOSTILE, code: [{ title: HOSTILE, body: HOSTILE }] });
    await surface.postInThread(ref, {
      text: HOSTILE,
      tables: [
        {
          title: HOSTILE,
          columns: [{ key: 'a', label: HOSTILE }],
          rows: [{ cells: [HOSTILE], tone: 'attention' }],
        },
      ],
      code: [{ title: HOSTILE, body: HOSTILE, raw: true, fullTextUrl: 'https://bot.example/r' }],
    });
    await surface.updateCard(ref, {
      ...card,
      steps: card.steps.map((st) => ({
        ...st,
        evidence: {
          verdict: HOSTILE,
          tone: 'attention',
          tables: [
            {
              title: HOSTILE,
              columns: [{ key: 'a', label: HOSTILE }],
              rows: [{ cells: [HOSTILE] }],
            },
          ],
        },
      })),
    });
    expect(calls).toHaveLength(6);
    for (const call of calls) {
      const texts = parsedTexts(call);
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.filter((x) => LIVE.test(x))).toEqual([]);
      expect(texts.join('\n')).toContain('&lt;!channel&gt;');
    }
  });

  it('ephemeral and response_url answers send it escaped too', async () => {
    const calls: unknown[] = [];
    const client = recordingClient(calls);
    const ctx = { client, log: createLogger('silent') } as unknown as SlackContext;
    const respond = async (m: unknown) => {
      calls.push(m);
      return { ok: true };
    };
    await tell(ctx, { channel: 'C1', user: 'U1' }, { text: HOSTILE });
    await tell(ctx, { channel: 'C1', user: 'U1', respond: respond as never }, { text: HOSTILE });
    const res: ChatResponse = {
      updatedCard: card,
      public: { text: HOSTILE },
      private: { text: HOSTILE, card },
    };
    await deliver(ctx, res, {
      channel: 'C1',
      user: 'U1',
      message: { platform: 'slack', channel: 'C1', messageId: '1.1' },
    });
    await deliver(
      ctx,
      { updatedCard: card },
      { channel: 'C1', user: 'U1', ephemeralCard: true, respond: respond as never },
    );
    expect(calls.length).toBeGreaterThanOrEqual(6);
    for (const call of calls) {
      expect(parsedTexts(call).filter((x) => LIVE.test(x))).toEqual([]);
    }
  });
});
