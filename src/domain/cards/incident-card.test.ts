import type { ApprovalRequest } from '../approvals/approval-request';
import { decodeActionRef } from './action-ref';
import { loadCatalog } from '../../infra/files/load-catalog';
import { sampleRequest } from '../../../test/support/approval-requests';
import { sampleIncident } from '../../../test/support/incidents';
import { buildIncidentCard } from './incident-card';
import type { RunView } from './run-view';

const catalog = loadCatalog();
const now = new Date('2026-11-27T03:05:00Z');

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest =>
  sampleRequest({
    id: 'R1',
    incidentId: 'INC-7',
    actionId: 'move-active-databases-off',
    title: 'Move active databases off the server',
    params: { server: 'EX01' },
    command: "Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $true",
    requester: { platform: 'console', id: 'alice' },
    requestedAt: '2026-11-27T03:01:00Z',
    expiresAt: '2026-11-27T03:16:00Z',
    ...over,
  });

test('an incident card shows the matched section, the incident facts and a "verifying" status', () => {
  const card = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [],
    lang: 'en',
    now,
  });
  expect(card.title).toMatch(/^POP\.Protocol · EX01/);
  const facts = Object.fromEntries(card.facts.map((f) => [f.key, f.value]));
  expect(facts).toMatchObject({ incident: 'INC-7', occurrences: '1', verdict: 'Verifying…' });
  expect(card.status).toEqual({ label: 'New', tone: 'warning' });
  expect(card.steps.length).toBeGreaterThan(0);
  expect(card.fallbackText).toContain('INC-7');
});

test('step states come from the run, the verdict and a shortened wait are shown', () => {
  const incident = sampleIncident();
  const first = buildIncidentCard({ incident, catalog, run: null, requests: [], lang: 'en', now });
  const sectionId = decodeActionRef(first.actions[0]!.value)!.section;
  const stepId = first.steps[0]!.id;
  const run: RunView = {
    id: 'RUN-1',
    incidentId: incident.id,
    version: 3,
    sectionId,
    status: 'waiting',
    verdict: 'confirmed',
    waitUntil: '2026-11-27T03:10:00.000Z',
    waitShortened: { runbookSeconds: 600, effectiveSeconds: 20 },
    steps: { [`${sectionId}/${stepId}`]: { state: 'succeeded', results: [] } },
  };
  const card = buildIncidentCard({ incident, catalog, run, requests: [], lang: 'en', now });
  expect(card.steps[0]!.state).toBe('succeeded');
  expect(card.facts.find((f) => f.key === 'verdict')!.value).toMatch(/Confirmed/);
  expect(card.status!.label).toBe('Waiting until 2026-11-27 03:10:00Z');
  expect(card.notes.join(' ')).toMatch(/10 min last 20 s/);
});

test('a pending destructive request offers approve (confirmed, showing command and server), reject (with a reason) and cancel', () => {
  const card = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [request()],
    lang: 'en',
    now,
  });
  expect(card.status!.label).toMatch(/Waiting for approval/);
  const block = card.requests![0]!;
  expect(block.command).toContain('-DatabaseCopyActivationDisabledAndMoveNow $true');
  expect(block.actions.map((a) => a.id)).toEqual(['approve:R1', 'reject:R1', 'cancel:R1']);
  expect(block.actions.find((a) => a.id === 'reject:R1')!.needsReason).toBeDefined();
  const confirm = block.actions[0]!.confirm!;
  expect(confirm.text).toContain(block.command.slice(0, 60));
  expect(confirm.text).toContain(block.server!);
  expect(decodeActionRef(block.actions[0]!.value)).toMatchObject({
    op: 'approve',
    request: 'R1',
    incident: 'INC-7',
  });
});

test('after an unknown outcome the card says so and offers the read-only check', () => {
  const card = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [request({ state: 'unknown' })],
    lang: 'en',
    now,
  });
  expect(card.status).toEqual({
    label: 'Outcome unknown: verify with the read-only check',
    tone: 'attention',
  });
  const verify = card.requests![0]!.actions;
  expect(verify.map((a) => a.id)).toEqual(['verify:R1']);
  expect(decodeActionRef(verify[0]!.value)!.op).toBe('run-checks');
});

test('an unknown outcome names the worker that stopped and what to check, in both languages', () => {
  const unknown = request({
    state: 'unknown',
    server: 'EX01',
    execution: { jobId: 'approval-R1', summary: 'unknown: …', at: '2026-11-27T03:12:05.000Z' },
    history: [
      {
        state: 'unknown',
        at: '2026-11-27T03:12:05.000Z',
        by: { platform: 'worker', id: 'WRK01-4242-abc123' },
      },
    ],
  });
  const label = (lang: 'en' | 'zh-TW') =>
    buildIncidentCard({
      incident: sampleIncident(),
      catalog,
      run: null,
      requests: [unknown],
      lang,
      now,
    }).requests![0]!.stateLabel;
  expect(label('en')).toMatch(/^Outcome unknown: worker WRK01-4242-abc123 stopped/);
  expect(label('en')).toMatch(/Check EX01 with a read-only check/);
  expect(label('zh-TW')).toContain('WRK01-4242-abc123');
  expect(label('zh-TW')).toContain('EX01');
});

test('a resolved incident keeps its steps but offers no buttons; zh-TW labels', () => {
  const incident = { ...sampleIncident(), status: 'resolved' as const };
  const card = buildIncidentCard({
    incident,
    catalog,
    run: null,
    requests: [],
    lang: 'zh-TW',
    now,
  });
  expect(card.status).toEqual({ label: '已解決', tone: 'good' });
  expect(card.actions).toEqual([]);
  const all = (s: typeof card.steps): number =>
    s.reduce((n, x) => n + x.actions.length + all(x.steps), 0);
  expect(all(card.steps)).toBe(0);
});

test('an incident without a valid server says nothing can run', () => {
  const card = buildIncidentCard({
    incident: sampleIncident({ PrincipalName: "EX01';Stop" }),
    catalog,
    run: null,
    requests: [],
    lang: 'en',
    now,
  });
  expect(card.notes[0]).toMatch(/did not name a valid server/);
});

test('the approval block speaks the channel language and names who asked and who approved', () => {
  const approved = request({
    state: 'succeeded',
    approvedBy: { platform: 'console', id: 'bob' },
    approvedAt: '2026-11-27T03:02:00Z',
    execution: { jobId: 'approval-R1', summary: 'succeeded', at: '2026-11-27T03:03:00Z' },
  });
  const zh = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [request(), approved],
    lang: 'zh-TW',
    now,
  });
  expect(zh.requests![0]!.stateLabel).toBe('等候核准至 2026-11-27 03:16:00Z');
  expect(zh.requests![1]!.stateLabel).toBe('成功');
  expect(zh.requests![1]!.lines).toContain('核准者: console:bob 於 2026-11-27 03:02:00Z');
  const en = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [approved],
    lang: 'en',
    now,
  });
  expect(en.requests![0]!.stateLabel).toBe('Succeeded');
  expect(en.requests![0]!.lines).toContain('Requested by: console:alice at 2026-11-27 03:01:00Z');
});

test('once the run has ended, no step still reads pending or running: what was not reached says so', () => {
  const incident = sampleIncident();
  const first = buildIncidentCard({ incident, catalog, run: null, requests: [], lang: 'en', now });
  const sectionId = decodeActionRef(first.actions[0]!.value)!.section;
  const [a, b] = first.steps;
  const run: RunView = {
    id: 'RUN-1',
    incidentId: incident.id,
    version: 5,
    sectionId,
    status: 'transient',
    verdict: 'transient',
    waitUntil: null,
    steps: {
      [`${sectionId}/${a!.id}`]: { state: 'succeeded', results: [] },
      [`${sectionId}/${b!.id}`]: { state: 'running', results: [] },
    },
  };
  const card = buildIncidentCard({ incident, catalog, run, requests: [], lang: 'en', now });
  expect(card.steps[0]!.state).toBe('succeeded');
  const open = ['pending', 'running', 'blocked', 'awaiting-approval'];
  const walk = (steps: typeof card.steps): string[] =>
    steps.flatMap((s) => [s.state, ...walk(s.steps ?? [])]);
  expect(walk(card.steps).filter((s) => open.includes(s))).toEqual([]);
  // While the run is still going, a step not reached yet is pending as before.
  const going = buildIncidentCard({
    incident,
    catalog,
    run: { ...run, status: 'running', verdict: 'pending' },
    requests: [],
    lang: 'en',
    now,
  });
  expect(walk(going.steps)).toContain('pending');
});

test('a break-glass approval shows as such, with its reason; a withdrawn request says why', () => {
  const card = buildIncidentCard({
    incident: sampleIncident(),
    catalog,
    run: null,
    requests: [
      request({
        state: 'approved',
        approvedBy: { platform: 'slack', id: 'U012ANA01', displayName: 'Ana' },
        approvedAt: '2026-11-27T03:02:00.000Z',
        breakGlass: { reason: 'DAG down, nobody else on call' },
      }),
      request({
        id: 'R2',
        state: 'cancelled',
        history: [
          {
            state: 'cancelled',
            at: '2026-11-27T03:03:00.000Z',
            by: { platform: 'system', id: 'exchange-chatops' },
            note: 'the incident resolved',
          },
        ],
      }),
    ],
    lang: 'en',
    now,
  });
  expect(card.requests![0]!.stateLabel).toMatch(
    /^Approved by Ana .*\(break glass: DAG down, nobody else on call\)$/,
  );
  expect(card.requests![1]!.stateLabel).toBe('Withdrawn by the bot: the incident resolved');
});

test('a held step says what holds it back: the status line and the step, in the card’s language', () => {
  const incident = sampleIncident();
  const first = buildIncidentCard({ incident, catalog, run: null, requests: [], lang: 'en', now });
  const sectionId = decodeActionRef(first.actions[0]!.value)!.section;
  const stepId = first.steps[0]!.id;
  const run: RunView = {
    id: 'RUN-1',
    incidentId: incident.id,
    version: 3,
    sectionId,
    status: 'running',
    verdict: 'confirmed',
    waitUntil: null,
    steps: {
      [stepId]: {
        state: 'running',
        results: [],
        hold: { text: { en: 'Held: site-a already runs 2 changes', 'zh-TW': '暫緩：site-a' } },
      },
    },
  };
  const en = buildIncidentCard({ incident, catalog, run, requests: [], lang: 'en', now });
  expect(en.status).toEqual({ label: 'Held: site-a already runs 2 changes', tone: 'warning' });
  expect(en.steps[0]!.notes).toContain('Held: site-a already runs 2 changes');
  const zh = buildIncidentCard({ incident, catalog, run, requests: [], lang: 'zh-TW', now });
  expect(zh.status?.label).toBe('暫緩：site-a');
  // Resolved: nothing is held any more.
  const resolved = buildIncidentCard({
    incident: { ...incident, status: 'resolved' },
    catalog,
    run,
    requests: [],
    lang: 'en',
    now,
  });
  expect(resolved.status?.label).not.toContain('Held');
});
