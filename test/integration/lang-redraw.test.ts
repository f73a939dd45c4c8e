import { ps51Alert } from '../fixtures/scom-alerts';
import type { Card } from '../../src/domain/cards/card';
import { startTestServer, type TestServer } from '../support/server';

/**
 * `lang zh-TW` in a channel redraws the cards already in it (issue 15), not only the next ones:
 * through the real server, the card-events queue, the delivery and the console's room.
 */
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer('langredraw', { CONSOLE_ENABLED: 'true' }, { demo: {} });
});

afterAll(async () => {
  await srv?.stop();
});

async function cardWhere(ok: (card: Card) => boolean, what: string): Promise<Card> {
  const end = Date.now() + 20_000;
  let last: Card | undefined;
  for (;;) {
    const res = await fetch(`${srv.url}/console/api/messages?room=alerts&user=alice`);
    const { messages } = (await res.json()) as { messages: Array<{ card?: Card }> };
    last = messages.map((m) => m.card).find((c) => c?.facts.some((f) => f.key === 'incident'));
    if (last && ok(last)) return last;
    if (Date.now() > end) throw new Error(`no card ${what}; last: ${JSON.stringify(last?.facts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const command = (text: string) =>
  fetch(`${srv.url}/console/api/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'alice', room: 'alerts', text }),
  });

test('lang zh-TW redraws the open card in Traditional Chinese; lang en redraws it back', async () => {
  const res = await srv.post('/api/alerts/scom', ps51Alert());
  expect(res.status).toBe(202);
  const en = await cardWhere((c) => c.lang === 'en', 'in English');
  expect(en.facts.find((f) => f.key === 'occurrences')?.label).toBe('Occurrences');

  expect((await command('lang zh-TW')).status).toBe(200);
  const zh = await cardWhere((c) => c.lang === 'zh-TW', 'redrawn in zh-TW');
  expect(zh.facts.find((f) => f.key === 'occurrences')?.label).toBe('發生次數');
  expect(zh.facts.find((f) => f.key === 'severity')?.value).toBe('錯誤 / 一般');

  expect((await command('lang en')).status).toBe(200);
  await cardWhere((c) => c.lang === 'en', 'redrawn in English again');
});
