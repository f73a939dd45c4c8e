import { Command } from 'commander';
import { buildScenarioAlert } from '../../jobs/simulated-exchange/alert-scenarios';
import type { Card } from '../../src/domain/cards/card';
import { registerSendAlert } from '../../src/cli/commands/send-alert';
import { startTestServer, type TestServer } from '../support/server';

/**
 * A repeat of an alert shows on its card (issue 15): `send-alert` sent again, or SCOM's
 * RepeatCount going up, counts as another occurrence; the exact same payload again is a duplicate
 * and changes nothing. Through the real server, Redis, card delivery and the console's card.
 */
let srv: TestServer;
jest.setTimeout(60_000);

beforeAll(async () => {
  srv = await startTestServer('repeat', { CONSOLE_ENABLED: 'true' }, { demo: {} });
});

afterAll(async () => {
  await srv?.stop();
});

async function sendAlert(scenario: string): Promise<string> {
  let out = '';
  const program = new Command('exchange-chatops').exitOverride();
  registerSendAlert(program, { out: (s) => (out += s), err: (s) => (out += s), env: {} });
  await program.parseAsync([
    'node',
    'exchange-chatops',
    'send-alert',
    '--scenario',
    scenario,
    '--url',
    srv.url,
    '--token',
    srv.token,
  ]);
  return out;
}

async function post(payload: unknown): Promise<{ outcome: string; incidentId: string }> {
  const res = await srv.post('/api/alerts/scom', payload);
  expect(res.status).toBe(202);
  const body = (await res.json()) as { results: Array<{ outcome: string; incidentId: string }> };
  return body.results[0]!;
}

/** The console's card of an incident once its Occurrences fact reads `want`. */
async function cardSays(incidentId: string, want: string): Promise<Card> {
  const end = Date.now() + 20_000;
  let seen = '(no card)';
  for (;;) {
    const res = await fetch(`${srv.url}/console/api/messages?room=alerts&user=alice`);
    const { messages } = (await res.json()) as { messages: Array<{ card?: Card }> };
    const card = messages
      .map((m) => m.card)
      .find((c) => c?.facts.some((f) => f.key === 'incident' && f.value === incidentId));
    const fact = card?.facts.find((f) => f.key === 'occurrences')?.value;
    if (card && fact === want) return card;
    seen = fact ?? seen;
    if (Date.now() > end) {
      throw new Error(`card of ${incidentId} says Occurrences ${seen}, not ${want}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('send-alert sent again is a repeat: the card counts it', async () => {
  const first = await sendAlert('pop-backend-hung');
  const id = /created (INC-\d+)/.exec(first)?.[1];
  expect(id).toBeDefined();
  await cardSays(id!, '1');

  const again = await sendAlert('pop-backend-hung');
  expect(again).toContain(`updated ${id}`);
  await cardSays(id!, '2');
  expect((await srv.incidents.get(id!))?.occurrences).toBe(2);

  await sendAlert('pop-backend-hung');
  await cardSays(id!, '3');
});

test("SCOM's RepeatCount counts; the exact same payload again is a duplicate", async () => {
  const raisedAt = new Date('2026-12-01T08:00:00Z');
  // On the first test's server: an incident on another server of the site would be held a while
  // (it could be the start of an outage).
  const payload = buildScenarioAlert('pop-ctp-failure', { now: raisedAt, server: 'EX01' });
  const created = await post(payload);
  expect(created.outcome).toBe('created');
  await cardSays(created.incidentId, '1');

  // The same bytes again (a retried delivery): nothing changes.
  expect(await post(payload)).toMatchObject({ outcome: 'duplicate' });
  const repeat = {
    ...payload,
    RepeatCount: 2,
    LastModified: `/Date(${raisedAt.getTime() + 120_000})/`,
  };
  expect(await post(repeat)).toMatchObject({ outcome: 'updated' });
  await cardSays(created.incidentId, '3');
  // The repeat resent as it was: still a duplicate, still 3.
  expect(await post(repeat)).toMatchObject({ outcome: 'duplicate' });
  const doc = await srv.incidents.get(created.incidentId);
  expect(doc).toMatchObject({ occurrences: 3, version: 2 });
});
