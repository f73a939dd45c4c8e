import type { FlowResult } from '../approvals/approval-flow';
import type { ApprovalRequest } from '../../domain/approvals/approval-request';
import type { Actor } from '../../domain/identity/actor';
import { encodeActionRef } from '../../domain/cards/action-ref';
import type { Incident } from '../../domain/incidents/incident';
import { loadCatalog } from '../../infra/files/load-catalog';
import { flattenSteps } from '../../domain/runbooks/catalog';
import { sampleIncident } from '../../../test/support/incidents';
import { createChatCore } from './chat-core';
import { t } from '../../domain/strings';
import type { ChatCoreDeps } from './chat-core';
import { matchIncident } from '../../domain/cards/incident-card';

/**
 * The core against in-memory stand-ins of its own ports (no Redis here: the integration tests
 * run it against the real stores and queues).
 */
const catalog = loadCatalog();
const alice: Actor = { platform: 'console', id: 'alice' };
const viewer: Actor = { platform: 'console', id: 'nobody' };
const channel = { platform: 'console' as const, id: 'alerts' };

function setup(
  incident: Incident = sampleIncident(),
  approvalsOver: Partial<ChatCoreDeps['approvals']> = {},
  over: Partial<ChatCoreDeps> = {},
) {
  const calls: Array<[string, unknown]> = [];
  const record = (name: string) => (input: unknown) => {
    calls.push([name, input]);
  };
  const fakeRequest = {
    id: 'R1',
    title: 'Step',
    server: 'EX01',
    autoApproved: false,
    expiresAt: 'soon',
  } as ApprovalRequest;
  const ok: FlowResult = { ok: true, request: fakeRequest, created: true };
  let lang: 'en' | 'zh-TW' = 'en';
  const deps: ChatCoreDeps = {
    catalog,
    incidents: {
      get: async (id) => (id === incident.id ? incident : null),
      listOpen: async () => [incident],
    },
    remediation: {
      getRun: async () => null,
      runStep: async (i) => (record('runStep')(i), { ok: true, jobIds: ['J1'] }),
      requestStep: async (i) => (record('requestStep')(i), ok),
      markDone: async (i) => (record('markDone')(i), { ok: true }),
    },
    approvals: {
      approve: async (i) => (record('approve')(i), ok),
      reject: async (i) => (record('reject')(i), ok),
      cancel: async (i) => (
        record('cancel')(i),
        { ok: false, code: 'denied', reason: 'Only the requester may cancel.' }
      ),
      get: async (id) => (id === 'R1' ? { ...fakeRequest, incidentId: incident.id } : null),
      listForIncident: async () => [],
      ...approvalsOver,
    },
    access: {
      mayRunRead: async (actor) =>
        actor.id === 'alice'
          ? { allowed: true, reason: '' }
          : { allowed: false, reason: 'You are a viewer; read steps need an operator.' },
    },
    checks: {
      run: async (i) => (
        record('check')(i),
        { ok: true, jobId: 'check-1', site: 'Site-A', command: "Get-ServerHealth -Identity 'EX01'" }
      ),
    },
    jobs: { recent: async () => [] },
    workers: {
      online: async () => [{ workerId: 'w1', host: 'win1', sites: ['Site-A'], lastBeat: 'now' }],
      knownSites: () => ['Site-A', 'Site-B'],
    },
    audit: { latest: async () => [] },
    prefs: {
      langOf: async () => lang,
      setLang: async (_c, l) => void (lang = l),
    },
    redraw: async (id) => void record('redraw')(id),
    ...over,
  };
  return { core: createChatCore(deps), calls, incident };
}

const stepsOf = (incident: Incident) => {
  const section = matchIncident(catalog, incident).section;
  return { section, steps: flattenSteps(section.steps) };
};
const ref = (incident: Incident, op: string, extra: Record<string, unknown> = {}) =>
  encodeActionRef({
    v: 1,
    op: op as never,
    section: stepsOf(incident).section.id,
    incident: incident.id,
    version: 1,
    ...extra,
  });

test('health queues a read check that answers in the channel; a viewer is refused privately', async () => {
  const { core, calls } = setup();
  const r = await core.command({ actor: alice, channel, text: 'health EX01 POP.Protocol' });
  expect(r.private!.text).toMatch(/Queued for a worker in site Site-A \(job check-1\)/);
  expect(calls).toEqual([
    [
      'check',
      expect.objectContaining({
        actionId: 'get-server-health',
        params: { server: 'EX01', healthSet: 'POP.Protocol' },
        replyTo: channel,
      }),
    ],
  ]);
  const denied = await setup().core.command({
    actor: viewer,
    channel,
    text: 'probe EX01 POP\\PopCTPProbe',
  });
  expect(denied).toEqual({ private: { text: 'You are a viewer; read steps need an operator.' } });
});

test('a check the remediation gate holds says why it waits, not that it was queued', async () => {
  const held = {
    en: 'Waiting: site-a has an outage and already runs 3 checks at once (the limit).',
    'zh-TW': '等候：site-a 發生中斷，且已同時執行 3 項檢查（上限）。',
  };
  const checks: ChatCoreDeps['checks'] = {
    run: async () => ({
      ok: true,
      jobId: 'check-9',
      site: 'site-a',
      command: 'Get-ServerHealth',
      held,
    }),
  };
  const { core } = setup(sampleIncident(), {}, { checks });
  const r = await core.command({ actor: alice, channel, text: 'health EX01' });
  expect(r.private!.text).toContain(held.en);
  expect(r.private!.text).toMatch(/Not run yet: it starts by itself .*\(job check-9\)/);
  expect(r.private!.text).not.toMatch(/Queued for a worker/);
});

test('bad input gets the usage line; unknown commands get the help list', async () => {
  const { core } = setup();
  expect((await core.command({ actor: alice, channel, text: 'probe EX01' })).private!.text).toBe(
    'The probe is missing.\nUsage: `/exchange probe <server> <HealthSet\\Probe>`',
  );
  const help = (await core.command({ actor: alice, channel, text: 'frobnicate' })).private!.text;
  expect(help).toMatch(/Unknown command "frobnicate"/);
  for (const c of [
    'health',
    'probe',
    'runbook',
    'incidents',
    'incident',
    'jobs',
    'audit',
    'workers',
    'lang',
  ]) {
    expect(help).toContain(`\`${c}`);
  }
});

test('runbook, incident, incidents, workers and lang answer from the stores', async () => {
  const { core, incident } = setup();
  expect(
    (await core.command({ actor: viewer, channel, text: 'runbook PopCTPMonitor' })).private!.card,
  ).toBeDefined();
  expect(
    (await core.command({ actor: viewer, channel, text: 'runbook NoSuchThing' })).private!.text,
  ).toMatch(/No runbook names/);
  const one = await core.command({ actor: viewer, channel, text: `incident ${incident.id}` });
  expect(one.private!.card!.facts.find((f) => f.key === 'incident')!.value).toBe(incident.id);
  expect(
    (await core.command({ actor: viewer, channel, text: 'incident INC-999' })).private!.text,
  ).toBe('No incident INC-999.');
  expect(
    (await core.command({ actor: viewer, channel, text: 'incidents' })).private!.code![0]!.body,
  ).toContain(incident.id);
  const workers = (await core.command({ actor: viewer, channel, text: 'workers' })).private!
    .code![0]!.body;
  expect(workers).toMatch(/w1 on win1: sites Site-A/);
  expect(workers).toMatch(/No worker online for site Site-B/);
  expect((await core.command({ actor: viewer, channel, text: 'lang zh-TW' })).public!.text).toMatch(
    /繁體中文/,
  );
  // After `lang zh-TW` the answers are in Traditional Chinese too, not only the cards.
  expect(
    (await core.command({ actor: viewer, channel, text: 'incident INC-999' })).private!.text,
  ).toBe('沒有事件 INC-999。');
});

test('a check step runs through the run; a change step becomes a request; destructive carries the confirmation', async () => {
  const { core, calls, incident } = setup();
  const { steps } = stepsOf(incident);
  const check = steps.find((s) => s.kind === 'check' && s.action)!;
  const destructive = steps.find((s) => s.kind === 'destructive');
  expect(destructive).toBeDefined(); // PopDeepTest's recovery fails databases over
  await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'run-step', { step: check.id }),
  });
  expect(calls[0]).toEqual([
    'runStep',
    expect.objectContaining({ incidentId: incident.id, stepId: check.id }),
  ]);
  if (destructive) {
    const r = await core.action({
      actor: alice,
      channel,
      value: ref(incident, 'run-step', { step: destructive.id }),
      input: { confirmed: true },
    });
    expect(r.private!.text).toMatch(/waits for approval/);
    expect(r.updatedCard).toBeDefined();
    expect(calls[1]).toEqual([
      'requestStep',
      expect.objectContaining({ stepId: destructive.id, confirmed: true }),
    ]);
  }
  const denied = await core.action({
    actor: viewer,
    channel,
    value: ref(incident, 'run-step', { step: check.id }),
  });
  expect(denied.private!.text).toMatch(/viewer/);
});

test('approve, reject (needs a reason) and cancel go to the approval flow; refusals are private', async () => {
  const { core, calls, incident } = setup();
  const approved = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'approve', { request: 'R1' }),
  });
  expect(approved.private!.text).toMatch(/^Approved/);
  expect(
    (
      await core.action({
        actor: alice,
        channel,
        value: ref(incident, 'reject', { request: 'R1' }),
      })
    ).private!.text,
  ).toMatch(/Say why/);
  await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'reject', { request: 'R1' }),
    input: { reason: 'not now' },
  });
  const cancelled = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'cancel-request', { request: 'R1' }),
  });
  expect(cancelled).toEqual({ private: { text: 'Only the requester may cancel.' } });
  expect(calls.map((c) => c[0])).toEqual(['approve', 'reject', 'cancel']);
  expect(calls[1]![1]).toMatchObject({ reason: 'not now' });
});

test("a button cannot act on another incident's request, nor mark a change done", async () => {
  const { core, calls, incident } = setup();
  const other = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'approve', { request: 'R9' }),
  });
  expect(other.private!.text).toMatch(/does not belong/);
  const change = stepsOf(incident).steps.find((s) => s.kind === 'change')!;
  const done = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'mark-done', { step: change.id }),
  });
  expect(done.private!.text).toMatch(/not a manual step/);
  const manual = stepsOf(incident).steps.find((s) => s.kind === 'manual')!;
  const byViewer = await core.action({
    actor: viewer,
    channel,
    value: ref(incident, 'mark-done', { step: manual.id }),
  });
  expect(byViewer.private!.text).toMatch(/viewer/);
  expect(calls).toEqual([]);
});

test('forged or stale button values change nothing', async () => {
  const { core, calls, incident } = setup();
  expect(
    (await core.action({ actor: alice, channel, value: '{"v":1,"op":"rm -rf"}' })).private!.text,
  ).toMatch(/not valid/);
  expect((await core.action({ actor: alice, channel, value: 'not json' })).private!.text).toMatch(
    /not valid/,
  );
  const gone = encodeActionRef({
    v: 1,
    op: 'run-step',
    section: 'x',
    step: 'y',
    incident: 'INC-404',
  });
  expect((await core.action({ actor: alice, channel, value: gone })).private!.text).toMatch(
    /no longer exists/,
  );
  const resolved = setup({ ...incident, status: 'resolved' });
  expect(
    (await resolved.core.action({ actor: alice, channel, value: ref(incident, 'run-checks') }))
      .private!.text,
  ).toMatch(/resolved/);
  expect(calls).toEqual([]);
});

test("'Open section' shows the section with the failing monitor's probe filled in", async () => {
  const { core, incident } = setup();
  const r = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'open-section', { section: 'pop-deep', step: 'pop-verify.2.4' }),
  });
  const card = r.private!.card!;
  expect(card.title).toMatch(/PopDeepTestMonitor/);
  const commands = JSON.stringify(card.steps);
  expect(commands).toContain('PopDeepTestProbe');
  expect(commands).not.toContain('<probe>');
});

test("'lang' redraws the open incidents' cards, so they change language at once", async () => {
  const { core, calls, incident } = setup();
  await core.command({ actor: viewer, channel, text: 'lang zh-TW' });
  expect(calls).toContainEqual(['redraw', incident.id]);
});

test("'lang' also redraws the outage cards the open incidents are lines on", async () => {
  const asked: string[][] = [];
  const { core, incident } = setup(
    sampleIncident(),
    {},
    {
      redrawOutagesOf: async (incidents) => void asked.push(incidents.map((i) => i.id)),
    },
  );
  await core.command({ actor: viewer, channel, text: 'lang zh-TW' });
  expect(asked).toEqual([[incident.id]]);
});

test('a button value must name its whole target: incident, version and request or step', async () => {
  const { core, calls, incident } = setup();
  const section = stepsOf(incident).section.id;
  const manual = stepsOf(incident).steps.find((s) => s.kind === 'manual')!;
  // The value from issue 13: signed, well formed, but bound to no incident.
  const unbound = [
    { v: 1, op: 'approve', section, request: 'R1' },
    { v: 1, op: 'reject', section, request: 'R1', version: 1 },
    { v: 1, op: 'cancel-request', section, request: 'R1', incident: incident.id },
    { v: 1, op: 'approve', section, incident: incident.id, version: 1 },
    { v: 1, op: 'run-step', section, step: manual.id },
    { v: 1, op: 'mark-done', section, incident: incident.id, version: 1 },
    { v: 1, op: 'run-checks', section, incident: incident.id },
  ];
  for (const value of unbound) {
    const r = await core.action({
      actor: alice,
      channel,
      value: JSON.stringify(value),
      input: { reason: 'because' },
    });
    expect(r.private!.text).toMatch(/does not say what it acts on \(it names no \w+/);
    expect(r.updatedCard).toBeUndefined();
  }
  // A version the incident never had is not one of its cards.
  const future = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'approve', { request: 'R1', version: incident.version + 1 }),
  });
  expect(future.private!.text).toMatch(/never had/);
  expect(calls).toEqual([]);
  // Complete, it acts.
  const ok = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'approve', { request: 'R1' }),
  });
  expect(ok.private!.text).toMatch(/Approved/);
  expect(calls.map(([n]) => n)).toEqual(['approve']);
});

test('a click on a request the bot withdrew says it was withdrawn and why, in the answer language', async () => {
  const incident = sampleIncident();
  const withdrawn = {
    id: 'R1',
    incidentId: incident.id,
    state: 'cancelled',
    history: [
      { state: 'pending', at: '2026-11-27T03:00:00.000Z', by: alice },
      {
        state: 'cancelled',
        at: '2026-11-27T03:05:00.000Z',
        by: { platform: 'system', id: 'exchange-chatops' },
        note: 'the incident resolved',
      },
    ],
  } as unknown as ApprovalRequest;
  const { core } = setup(incident, {
    get: async () => withdrawn,
    approve: async () => ({
      ok: false,
      code: 'not-pending',
      reason: 'Request R1 is cancelled by the requester; nothing changed.',
    }),
  });
  const en = await core.action({
    actor: alice,
    channel,
    value: ref(incident, 'approve', { request: 'R1' }),
  });
  expect(en.private!.text).toMatch(
    /^Request R1 was withdrawn by the bot at .*: the incident resolved\./,
  );
  // Answers to the clicker are in English for now (core-context.ts, answerLang); the catalogue
  // has the zh-TW sentence for when a person's language is known.
  expect(t('zh-TW', 'chat.request.withdrawn', { id: 'R1', at: 'x', reason: 'y' })).toMatch(
    /由機器人撤回：y/,
  );
});

test('approving a destructive step is confirmed first; break glass is offered only to a requester who may use it', async () => {
  const incident = sampleIncident();
  const destructive = {
    id: 'R1',
    incidentId: incident.id,
    state: 'pending',
    risk: 'destructive',
    title: 'Restart the server',
    server: 'EX01',
    command: "Restart-Computer -ComputerName 'EX01' -Force",
    history: [],
  } as unknown as ApprovalRequest;
  let refusal: FlowResult | null = null;
  const { core, calls } = setup(incident, {
    get: async () => destructive,
    approve: async (i) => {
      calls.push(['approve', i]);
      return refusal ?? { ok: true, request: destructive };
    },
  });
  const value = ref(incident, 'approve', { request: 'R1' });
  const unconfirmed = await core.action({ actor: alice, channel, value });
  expect(unconfirmed.private!.text).toMatch(
    /needs a confirmation: .*`Restart-Computer -ComputerName 'EX01' -Force` on EX01/,
  );
  expect(calls).toEqual([]);
  const confirmed = await core.action({ actor: alice, channel, value, input: { confirmed: true } });
  expect(confirmed.private!.text).toMatch(/^Approved/);
  // The requester who may break glass: a private card with one button (reason + confirm).
  refusal = {
    ok: false,
    code: 'denied',
    reason: 'Two-person rule: you asked for this destructive step yourself. …',
    breakGlassOpen: true,
  };
  const own = await core.action({ actor: alice, channel, value, input: { confirmed: true } });
  expect(own.updatedCard).toBeUndefined();
  expect(own.public).toBeUndefined();
  const offer = own.private!.card!;
  expect(offer.actions).toHaveLength(1);
  expect(offer.actions[0]).toMatchObject({
    id: 'approve-break-glass:R1',
    value,
    needsReason: { optional: false },
    confirm: { text: expect.stringContaining('Restart-Computer') },
  });
  // Anyone else refused (a requester who may not break glass): the reason, no offer.
  refusal = { ok: false, code: 'denied', reason: 'Two-person rule: …' };
  const plain = await core.action({ actor: alice, channel, value, input: { confirmed: true } });
  expect(plain).toEqual({ private: { text: 'Two-person rule: …' } });
});
