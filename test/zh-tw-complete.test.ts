import { PLATFORM_RULES } from '../adapters/registry';
import { createChatCore, type ChatCoreDeps } from '../src/app/chat/chat-core';
import { formatResult } from '../src/app/chat/format-result';
import type { FlowResult } from '../src/app/approvals/approval-flow';
import { getAction, ACTIONS } from '../src/domain/actions/registry';
import { APPROVAL_STATES, type ApprovalRequest } from '../src/domain/approvals/approval-request';
import {
  evaluateApproval,
  evaluateCancel,
  evaluateReject,
  evaluateRequest,
} from '../src/domain/approvals/evaluate';
import { parsePolicy } from '../src/domain/approvals/policy';
import {
  approveTransition,
  cancelTransition,
  executionTransition,
  expireTransition,
  rejectTransition,
} from '../src/domain/approvals/transitions';
import {
  breakGlassOffer,
  buildIncidentCard,
  matchIncident,
} from '../src/domain/cards/incident-card';
import { buildRunbookCard, cardContextFromMatch } from '../src/domain/cards/runbook-card';
import type { RunView } from '../src/domain/cards/run-view';
import { parseCommand } from '../src/domain/chat/commands';
import type { Principal } from '../src/domain/identity/actor';
import type { Incident } from '../src/domain/incidents/incident';
import {
  buildOutageCard,
  memberPointerText,
  outageMemberLines,
  outageResolvedMessage,
} from '../src/domain/outages/outage-card';
import type { Outage, OutageMember } from '../src/domain/outages/outage';
import {
  createRun,
  markStepDone,
  recordRequest,
  runCheck,
  summarize,
  type MachineContext,
} from '../src/domain/remediation/run-machine';
import type { RemediationRun, StepState } from '../src/domain/remediation/run';
import { flattenSteps } from '../src/domain/runbooks/catalog';
import { actionTitle, CATALOG, localizeText, stringsWithPrefix } from '../src/domain/strings';
import { loadCatalog } from '../src/infra/files/load-catalog';
import { assessSafety, type SafetyEvidence } from '../src/domain/safety/dag-safety';
import { sampleRequest } from './support/approval-requests';
import { sampleIncident } from './support/incidents';

/**
 * Issue 15, "Complete zh-TW": everything a user of a zh-TW channel sees is in Traditional
 * Chinese. This builds every shipped card (a runbook card for every section of every runbook in
 * runbooks/, incident cards in every run state, verdict, step state and request state, outage
 * cards), drives the chat core with every sub-command (and bad input) in a zh-TW channel, takes
 * the refusals of the approval rules and the run machine as the chat side shows them, and the
 * console page's string table; then it takes out what may stay as it is (code, commands,
 * identifiers, names, numbers, a few product words) and fails on any English word that is left,
 * naming the text and where it came from.
 */

const catalog = loadCatalog();
const NOW = new Date('2026-11-27T03:05:00Z');

// --- collecting what a user sees --------------------------------------------------------------

interface Seen {
  where: string;
  text: string;
}
const seen: Seen[] = [];

/** Fields whose strings a user never reads as text: ids, enums, button values, URLs. */
const NOT_TEXT = new Set([
  'id',
  'key',
  'url',
  'kind',
  'state',
  'risk',
  'actionId',
  'language',
  'style',
  'lang',
  'tone',
  'checkedAt',
  'role',
  'align',
  'version',
  'messageId',
]);

/** Every string a person sees in a card or a reply; PowerShell command texts are code. */
function collect(where: string, value: unknown): void {
  if (typeof value === 'string') {
    seen.push({ where, text: value });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(`${where}[${i}]`, v));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  const isAction = typeof o.style === 'string' && typeof o.value === 'string';
  const isCommand = o.language === 'powershell';
  for (const [k, v] of Object.entries(o)) {
    if (NOT_TEXT.has(k)) continue;
    if (isAction && k === 'value') continue; // the button's encoded reference
    if (isCommand && k === 'text') continue; // the exact PowerShell
    if (k === 'command' && typeof v === 'string') continue; // a request's exact PowerShell
    if (k === 'code' && Array.isArray(v)) {
      // Code blocks: the body is output or PowerShell, the title is text.
      v.forEach((c: { title?: string }, i) => collect(`${where}.code[${i}].title`, c.title));
      continue;
    }
    collect(`${where}.${k}`, v);
  }
}

// --- what may stay English --------------------------------------------------------------------

/**
 * Words that stay as they are in Microsoft's zh-TW Exchange documentation and in our UI, each
 * with its reason. Everything else in Latin letters must be a code span, a command, a name or an
 * id (taken out below).
 */
const ALLOWED = new Map<string, string>([
  ['Exchange', 'product name'],
  ['Microsoft', 'company name'],
  ['Managed', '"Managed Availability", the Exchange feature, untranslated in Microsoft zh-TW docs'],
  ['Availability', '"Managed Availability"'],
  ['PowerShell', 'product name'],
  ['Windows', 'product name'],
  ['Slack', 'product name'],
  ['Teams', 'product name'],
  ['SCOM', 'product (System Center Operations Manager)'],
  ['OpenID', '"OpenID Connect", a protocol name'],
  ['Connect', '"OpenID Connect"'],
  ['AAD', 'Azure AD, as Teams names the object id'],
  ['UPN', 'user principal name, an attribute name'],
  ['DAG', 'database availability group, abbreviated so in Microsoft zh-TW docs'],
  ['POP', 'protocol name'],
  ['POP3', 'protocol name'],
  ['IMAP', 'protocol name'],
  ['IMAP4', 'protocol name'],
  ['Active', '"Active Directory", product name'],
  ['Directory', '"Active Directory"'],
  ['English', 'the language switch names the language it switches to'],
  ['exchange', '`/exchange`, the command'],
  ['chatops', '"exchange-chatops", the product name'],
  ['demo', '"exchops-demo", the demo prefix'],
  ['exchops', '"exchops-demo", the demo prefix'],
  ['upn', 'a token claim name'],
  ['email', 'a token claim name'],
  ['Mbx', '"_Mbx", the SCOM suffix of the mailbox server'],
  ['CAS', 'Client Access server, abbreviated so in Microsoft zh-TW Exchange docs'],
  ['Server', '"Exchange Server", the product name'],
  // Values and property names of cmdlet output the runbook texts quote, as the output shows them.
  ['Healthy', 'an AlertValue / ContentIndexState value'],
  ['Unhealthy', 'an AlertValue value'],
  ['Mounted', 'a Status value of Get-MailboxDatabaseCopyStatus'],
  ['Inactive', 'a State value of Get-ServerComponentState'],
  ['Status', 'a property of Get-MailboxDatabaseCopyStatus'],
  ['Failed', 'a ResultType value of a probe'],
  ['Succeeded', 'a ResultType value of a probe'],
  // The approval policy's role names: identifiers an admin writes in the policy file.
  ['viewer', 'policy role name'],
  ['operator', 'policy role name'],
  ['approver', 'policy role name'],
  ['admin', 'policy role name'],
  // The demo's console users (the demo banner names them).
  ['alice', 'demo user'],
  ['bob', 'demo user'],
  ['carol', 'demo user'],
  ['ana', 'demo user'],
]);

/** Names the test's own data carries (alert texts are SCOM's words, the operator's reasons). */
const DATA = [
  // A Windows service's display name, as the Services console shows it.
  'Microsoft Exchange POP3 Backend',
  // The alert's own words (SCOM's name and failure text).
  sampleIncident().title,
  sampleIncident().failureText ?? '',
  'Ana',
  'alice',
  'bob',
];

function strip(text: string): string {
  let s = text;
  s = s.replace(/```[\s\S]*?```/g, ' '); // code blocks
  s = s.replace(/`[^`]*`/g, ' '); // inline code
  s = s.replace(/https?:\/\/\S+/g, ' '); // URLs
  s = s.replace(/\b(?:slack|teams|console|system|worker):[\w@.-]+/g, ' '); // an account: platform:id
  s = s.replace(/\{\w+\}/g, ' '); // a placeholder the console page fills
  for (const d of DATA) s = s.split(d).join(' ');
  // Cmdlets with their parameters, and parameters alone (-Identity, -Wait).
  s = s.replace(
    /\b[A-Z][a-z]+-[A-Z][A-Za-z]+(?:\s+-[A-Za-z]+(?:\s+'[^']*'|\s+\$\w+|\s+[\w.:]+)?)*/g,
    ' ',
  );
  s = s.replace(/(^|\s)-[A-Z][A-Za-z]+/g, ' ');
  // Identifiers: health sets, probes and monitors (POP.Protocol, POP\PopCTPProbe), CamelCase
  // names (PopProxyTestMonitor, MSExchangePOP3BE), names with digits or dashes (EX01, INC-7,
  // get-server-health), environment variables (REDIS_PREFIX), <placeholders>, ids like R1.
  s = s.replace(/[\w.-]*\\[\w.\\-]+/g, ' ');
  s = s.replace(/\b[A-Za-z][\w-]*\.[\w.-]+\b/g, ' ');
  s = s.replace(/\b[A-Z]*[a-z]+[A-Z][A-Za-z0-9]*\b/g, ' ');
  s = s.replace(/\b[A-Z]{2,}[a-z]+[A-Za-z0-9]*\b/g, ' ');
  s = s.replace(/\b[A-Za-z]+[0-9_][\w]*\b/g, ' ');
  s = s.replace(/\b[a-z]+(?:-[a-z0-9]+)+\b/g, ' ');
  s = s.replace(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]*\b/g, ' ');
  s = s.replace(/<[^<>]*>/g, ' ');
  s = s.replace(/\b[A-Z]+-\d+\b/g, ' '); // INC-7, R-1
  s = s.replace(/[\w.-]+\/[\w.-]+/g, ' '); // a run step's key: section/step
  s = s.replace(/\b[A-Z][a-z]+-[A-Z0-9]\b/g, ' '); // site names like Site-A
  s = s.replace(/\$\w+/g, ' '); // $true, $false
  s = s.replace(/(^|\s)-(?:like|eq|ne|match)\b/g, ' '); // PowerShell operators
  return s;
}

function englishWords(text: string): string[] {
  return (strip(text).match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !ALLOWED.has(w));
}

// --- the fixtures -----------------------------------------------------------------------------

const member = (i: number, over: Partial<OutageMember> = {}): OutageMember => ({
  incidentId: `INC-${i}`,
  server: `EX0${i}`,
  site: 'Site-A',
  healthSet: 'POP.Protocol',
  monitor: 'PopCTPMonitor',
  dag: null,
  dependencies: ['active-directory'],
  firstSeen: '2026-11-27T03:00:00.000Z',
  lastSeen: '2026-11-27T03:00:00.000Z',
  joinedAt: '2026-11-27T03:00:00.000Z',
  status: 'open',
  resolvedAt: null,
  hadOwnCard: false,
  ...over,
});

const outage = (over: Partial<Outage> = {}): Outage => ({
  id: 'outage-site-a-ad',
  site: 'Site-A',
  key: { kind: 'dependency', id: 'active-directory' },
  status: 'open',
  openedAt: '2026-11-27T03:00:00.000Z',
  changedAt: '2026-11-27T03:00:00.000Z',
  resolvedAt: null,
  reopened: 0,
  members: [1, 2, 3, 4, 5].map((i) => member(i)),
  ...over,
});

const STEP_STATES: StepState[] = [
  'pending',
  'not-applicable',
  'blocked',
  'awaiting-approval',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'done',
];
const RUN_STATUSES = [
  'verifying',
  'running',
  'awaiting-approval',
  'waiting',
  'recovered',
  'transient',
  'escalated',
  'stopped',
  'failed',
];
const VERDICTS = ['pending', 'confirmed', 'transient', 'unknown'];

/** A request in `state`, with what that state carries. */
function requestIn(state: ApprovalRequest['state'], over: Partial<ApprovalRequest> = {}) {
  const bob = { platform: 'console' as const, id: 'bob', displayName: 'bob' };
  return sampleRequest({
    id: `R-${APPROVAL_STATES.indexOf(state) + 1}`,
    incidentId: 'INC-7',
    state,
    actionId: 'restart-service',
    title: getAction('restart-service')!.title,
    risk: 'change',
    approvedBy: ['approved', 'running', 'succeeded', 'failed', 'unknown'].includes(state)
      ? bob
      : null,
    approvedAt: '2026-11-27T03:02:00.000Z',
    rejectedBy: state === 'rejected' ? bob : null,
    rejectReason: state === 'rejected' ? '維護時段外' : null,
    execution:
      state === 'running' || state === 'succeeded' || state === 'failed' || state === 'unknown'
        ? {
            jobId: 'J1',
            state: state === 'running' ? 'running' : state,
            at: '2026-11-27T03:03:00.000Z',
            ...(state === 'succeeded' ? { summary: 'done' } : {}),
          }
        : null,
    ...over,
  } as Partial<ApprovalRequest>);
}

const policyText = `
version: 1
roles:
  viewer:
    - console: vic
  operator:
    - console: alice
  approver:
    - console: bob
`;
const parsed = parsePolicy(policyText, PLATFORM_RULES, 'test.yaml');
if (!parsed.ok) throw parsed.error;
const policy = parsed.policy;
const con = (id: string): Principal => ({ platform: 'console', id, groups: [], identity: id });
const HQ = { server: 'EX01.contoso.com', site: 'HQ' };

// --- building everything ----------------------------------------------------------------------

beforeAll(async () => {
  const lang = 'zh-TW' as const;
  const incident = sampleIncident();
  const server = incident.server;

  // Every section of every shipped runbook, on a server of known and of unknown role.
  for (const section of catalog.sections.values()) {
    for (const roles of [null, ['mailbox' as const], ['client-access' as const]]) {
      const match = matchIncident(catalog, incident);
      const ctx = cardContextFromMatch(match, { server, roles }, catalog);
      collect(
        `runbook card ${section.id} (roles ${String(roles)})`,
        buildRunbookCard(section, ctx, lang),
      );
    }
  }

  // Incident cards: every run status, verdict and step state; every request state.
  const first = buildIncidentCard({ incident, catalog, run: null, requests: [], lang, now: NOW });
  collect('incident card (new)', first);
  const section = matchIncident(catalog, incident).section;
  const stepIds = flattenSteps(section.steps).map((s) => s.id);
  for (const status of RUN_STATUSES) {
    for (const verdict of VERDICTS) {
      for (const state of STEP_STATES) {
        const run: RunView = {
          id: 'RUN-INC-7',
          incidentId: incident.id,
          version: 3,
          sectionId: section.id,
          status,
          verdict,
          waitUntil: status === 'waiting' ? '2026-11-27T03:10:00.000Z' : null,
          waitShortened: { runbookSeconds: 600, effectiveSeconds: 20 },
          steps: Object.fromEntries(
            stepIds.map((id) => [
              `${section.id}/${id}`,
              { state, results: [], ...(state === 'blocked' ? { outcome: 'unknown' } : {}) },
            ]),
          ),
        };
        collect(
          `incident card (run ${status}, verdict ${verdict}, steps ${state})`,
          buildIncidentCard({ incident, catalog, run, requests: [], lang, now: NOW }),
        );
      }
    }
  }
  const requests = APPROVAL_STATES.map((s) => requestIn(s));
  requests.push(
    requestIn('pending', {
      id: 'R-destructive',
      risk: 'destructive',
      actionId: 'restart-server',
      title: getAction('restart-server')!.title,
    }),
    requestIn('approved', { id: 'R-glass', breakGlass: { reason: '沒有其他核准者在線' } }),
    requestIn('pending', { id: 'R-expired', expiresAt: '2026-11-27T03:04:00.000Z' }),
    requestIn('cancelled', {
      id: 'R-withdrawn',
      history: [
        {
          at: '2026-11-27T03:04:00.000Z',
          state: 'cancelled',
          by: { platform: 'system', id: 'exchange-chatops' },
          note: 'pop-deep.4 was marked done',
        },
      ],
    } as Partial<ApprovalRequest>),
  );
  for (const actionId of Object.keys(ACTIONS)) {
    requests.push(
      requestIn('pending', { id: `R-${actionId}`, actionId, title: getAction(actionId)!.title }),
    );
  }
  collect(
    'incident card (requests in every state)',
    buildIncidentCard({ incident, catalog, run: null, requests, lang, now: NOW }),
  );
  collect(
    'incident card (no valid server)',
    buildIncidentCard({
      incident: sampleIncident({ PrincipalName: 'EX01;Restart-Computer' }),
      catalog,
      run: null,
      requests: [],
      lang,
      now: NOW,
    }),
  );

  // Outage cards and their texts.
  collect('outage card (open)', buildOutageCard({ outage: outage(), catalog, lang, now: NOW }));
  const resolved = outage({
    status: 'resolved',
    resolvedAt: '2026-11-27T03:20:00.000Z',
    members: [1, 2, 3, 4, 5].map((i) =>
      member(i, { status: 'resolved', resolvedAt: '2026-11-27T03:20:00.000Z' }),
    ),
  });
  collect('outage card (resolved)', buildOutageCard({ outage: resolved, catalog, lang, now: NOW }));
  collect('outage member lines', outageMemberLines(outage(), lang));
  collect('outage resolved message', outageResolvedMessage(resolved, catalog, lang));
  collect('outage pointer', memberPointerText(outage(), catalog, lang));

  // Step and check results as posted in a thread or a channel.
  const outcomes = [
    { status: 'succeeded', parsed: { kind: 'probe', resultType: 'Failed', error: 'timeout' } },
    { status: 'succeeded', parsed: { kind: 'server-health', monitors: [{}], unhealthy: [] } },
    {
      status: 'succeeded',
      parsed: { kind: 'server-health', monitors: [{}], unhealthy: [{ name: 'PopCTPMonitor' }] },
    },
    { status: 'succeeded', parsed: { kind: 'copy-status', anyActive: false, activeDatabases: [] } },
    {
      status: 'succeeded',
      parsed: { kind: 'copy-status', anyActive: true, activeDatabases: ['DB01'] },
    },
    { status: 'succeeded', parsed: { kind: 'change' } },
    { status: 'succeeded' },
    { status: 'failed', reason: 'error', timedOut: true },
    { status: 'refused', reason: 'the grant does not match the job' },
    { status: 'unknown' },
  ];
  for (const o of outcomes) {
    for (const expectation of ['met', 'not-met', undefined] as const) {
      const summary = summarize(
        { jobId: 'J1', actionId: 'get-server-health', params: {}, durationMs: 1, ...o } as never,
        expectation,
      );
      collect(
        `result ${JSON.stringify(o)} ${String(expectation)}`,
        formatResult(
          {
            jobId: 'J1',
            actionId: 'get-server-health',
            status: o.status,
            summary,
            command: "Get-ServerHealth -Identity 'EX01'",
            durationMs: 1200,
            raw: '[]',
          },
          {
            lang,
            stepLabel: `步驟 2.1 · ${actionTitle(lang, 'get-server-health')}`,
          },
        ),
      );
    }
  }

  // The command box: every sub-command, and bad input, in a zh-TW channel.
  const core = createChatCore(fakeDeps(incident));
  const alerts = { platform: 'console' as const, id: 'alerts' };
  const alice = { platform: 'console' as const, id: 'alice', displayName: 'alice' };
  const vic = { platform: 'console' as const, id: 'vic', displayName: 'vic' };
  const commands = [
    '',
    'help',
    '?',
    'health EX01',
    'health EX01 POP.Protocol',
    'health',
    'health EX01;rm',
    'health EX01 POP.Protocol extra',
    'probe EX01 POP\\PopCTPProbe',
    'probe EX01',
    'probe EX01 PopCTPProbe',
    'runbook PopProxyTestMonitor',
    'runbook POP',
    'runbook NoSuchThing',
    'runbook',
    'incidents',
    'incident INC-7',
    'incident INC-99',
    'incident 7',
    'incident',
    'jobs',
    'audit',
    'audit EX01',
    'audit INC-7',
    'audit ;;',
    'workers',
    'lang',
    'lang fr',
    'frobnicate',
    'lang zh-TW',
  ];
  for (const text of commands) {
    for (const actor of [alice, vic]) {
      collect(
        `command "${text}" (${actor.id})`,
        await core.command({ actor, channel: alerts, text }),
      );
    }
  }
  // The audit view's lines are our text too (its code block); a record's result is shown as it
  // was recorded.
  // So are the lines of `incidents` and `jobs` (their code blocks, aligned); an incident's title
  // is the alert's.
  for (const text of ['incidents', 'jobs']) {
    const r = await core.command({ actor: alice, channel: alerts, text });
    for (const line of r.private?.code?.[0]?.body.split('\n') ?? []) {
      collect(`command "${text}" line`, line);
    }
  }
  for (const scope of ['audit', 'audit EX01', 'audit INC-7']) {
    const r = await core.command({ actor: alice, channel: alerts, text: scope });
    for (const line of r.private?.code?.[0]?.body.split('\n') ?? []) {
      collect(`command "${scope}" audit line`, line.replace(/: requested$/, ''));
    }
  }
  // Parser errors as the core shows them (the core adds the usage).
  for (const text of commands) {
    const p = parseCommand(text);
    if (!p.ok) collect(`parse error "${text}"`, localizeText(lang, p.error));
  }

  // Refusals of the approval rules and the request's state machine, as the chat side shows them.
  const risks = ['read', 'change', 'destructive'] as const;
  const reasons: Array<[string, string]> = [];
  for (const risk of risks) {
    for (const who of ['vic', 'alice', 'bob']) {
      const principal = con(who);
      reasons.push([
        `request ${risk} by ${who}`,
        evaluateRequest(policy, { principal, risk, target: HQ }).reason,
      ]);
      for (const requester of [con('alice'), con('bob')]) {
        for (const breakGlassReason of [
          undefined,
          'short',
          '沒有其他核准者在線，系統必須立即復原',
        ]) {
          const d = evaluateApproval(policy, {
            principal,
            requester,
            risk,
            target: HQ,
            ...(breakGlassReason ? { breakGlassReason } : {}),
          });
          reasons.push([`approve ${risk} by ${who} of ${requester.id}`, d.reason]);
        }
        reasons.push([
          `cancel by ${who}`,
          evaluateCancel(policy, { actor: principal, requester }).reason,
        ]);
      }
      reasons.push([
        `reject by ${who}`,
        evaluateReject(policy, { principal, risk, target: HQ, reason: '' }).reason,
      ]);
    }
  }
  const now = NOW.toISOString();
  const bob = { platform: 'console' as const, id: 'bob' };
  for (const state of APPROVAL_STATES) {
    const req = requestIn(state);
    for (const tr of [
      approveTransition(req, bob, now),
      rejectTransition(req, bob, now, '不需要'),
      cancelTransition(req, bob, now),
      expireTransition(req, now),
      executionTransition(req, 'succeeded', bob, now, { jobId: 'J1', summary: 'done' }),
      executionTransition(req, 'running', bob, now, { jobId: 'J1' }),
    ]) {
      if (!tr.ok) reasons.push([`transition of a ${state} request`, tr.reason]);
    }
  }
  // The run machine's refusals.
  const ctx: MachineContext = { catalog, now: NOW, waitSeconds: null, rolesOf: () => null };
  const match = matchIncident(catalog, incident);
  const run: RemediationRun = createRun({
    incidentId: incident.id,
    server: incident.server,
    relatedServer: null,
    match,
    ctx,
  });
  const refusals = [
    runCheck(run, { stepKey: 'nowhere/none' }, ctx),
    recordRequest(run, 'nowhere/none', 'R1', ctx),
  ];
  // Every step of every section the run may visit: run it, mark it done, ask for it twice.
  for (const sec of catalog.sections.values()) {
    for (const step of flattenSteps(sec.steps)) {
      const key = `${sec.id}/${step.id}`;
      refusals.push(runCheck(run, { stepKey: key }, ctx), markStepDone(run, key, ctx, 'alice'));
      const asked = recordRequest(run, key, 'R1', ctx);
      if ('run' in asked) refusals.push(recordRequest(asked.run, key, 'R1', ctx));
    }
  }
  for (const r of refusals) {
    if (r && typeof r === 'object' && 'ok' in r && r.ok === false) {
      reasons.push(['run machine', (r as { reason: string }).reason]);
    }
  }
  // The DAG safety checks' reasons (a pre-check's summary: "held: …").
  const copy = (databaseName: string, mailboxServer: string, status: string, over = {}) => ({
    databaseName,
    status,
    mailboxServer,
    activeDatabaseCopy: status === 'Mounted' ? mailboxServer : null,
    copyQueueLength: 0,
    replayQueueLength: 0,
    contentIndexState: 'Healthy',
    activationSuspended: false,
    active: status === 'Mounted',
    ...over,
  });
  const components = (swo: string, other = 'Active') => [
    { server: null, component: 'ServerWideOffline', state: swo },
    { server: null, component: 'HubTransport', state: other },
  ];
  const mailbox = (name: string, moveNow = false) => ({
    name,
    dag: 'DAG1',
    autoActivationPolicy: 'Unrestricted',
    activationDisabledAndMoveNow: moveNow,
  });
  const evidences: SafetyEvidence[] = [
    {
      server: 'EX01',
      gatheredAt: NOW.toISOString(),
      copies: [
        copy('DB1', 'EX01', 'Mounted'),
        copy('DB1', 'EX02', 'Failed', {
          copyQueueLength: 20,
          replayQueueLength: 60,
          contentIndexState: 'Failed',
          activationSuspended: true,
        }),
        copy('DB2', 'EX01', 'Mounted'),
        copy('DB3', 'EX03', 'ServiceDown'),
        copy('DB3', 'EX01', 'Healthy'),
        copy('DB4', 'EX01', 'Healthy'),
      ],
      members: [
        { name: 'EX01', components: components('Inactive'), mailbox: mailbox('EX01') },
        { name: 'EX02', components: components('Inactive'), mailbox: mailbox('EX02', true) },
        { name: 'EX03', components: null, mailbox: null },
      ],
      recoveries: [
        {
          time: '2026-11-27T03:00:00.000Z',
          eventId: 1,
          action: 'RestartService',
          resource: 'MSExchangePOP3BE',
          responder: 'PopRestartResponder',
          state: 'Started',
          result: null,
          message: null,
        },
      ],
      errors: [],
    },
    {
      server: 'EX01',
      gatheredAt: NOW.toISOString(),
      copies: null,
      members: [{ name: 'EX01', components: components('Active', 'Inactive'), mailbox: null }],
      recoveries: null,
      errors: [],
    },
  ];
  for (const evidence of evidences) {
    const safety = assessSafety(evidence, NOW);
    for (const r of [
      ...safety.failover.reasons,
      ...safety.restart.reasons,
      ...safety.hold.reasons,
    ]) {
      reasons.push(['DAG safety', r]);
    }
    for (const expectation of ['met', 'not-met', undefined] as const) {
      const summary = summarize(
        {
          jobId: 'J2',
          actionId: 'get-dag-safety',
          params: {},
          durationMs: 1,
          status: 'succeeded',
          parsed: safety,
        } as never,
        expectation,
      );
      collect(
        'result DAG safety',
        formatResult(
          {
            jobId: 'J2',
            actionId: 'get-dag-safety',
            status: 'succeeded',
            summary,
            durationMs: 1000,
          },
          { lang },
        ),
      );
    }
  }
  for (const [where, reason] of reasons) collect(`refusal (${where})`, localizeText(lang, reason));

  // Every zh-TW string of the catalogue as written, also those no fixture here reaches (the
  // Slack and Teams renderers' own, the outage holds): placeholders are taken out.
  for (const [k, v] of Object.entries(CATALOG['zh-TW'])) {
    // The command box's placeholder is example commands.
    if (k !== 'console.commandPlaceholder') collect(`catalogue ${k}`, v);
  }
  // What a requester who may break glass is offered, privately, with the rule's explanation.
  const own = evaluateApproval(policy, {
    principal: con('alice'),
    requester: con('alice'),
    risk: 'destructive',
    target: HQ,
  });
  collect(
    'break-glass offer',
    breakGlassOffer(requestIn('pending', { risk: 'destructive' }), 'v', own.reason, lang),
  );

  // The console page's own strings.
  for (const [k, v] of Object.entries(stringsWithPrefix('console.')['zh-TW'])) {
    // The command box's placeholder is example commands.
    if (k !== 'console.commandPlaceholder') collect(`console string ${k}`, v);
  }
});

function fakeDeps(incident: Incident): ChatCoreDeps {
  const request = requestIn('pending');
  const ok: FlowResult = { ok: true, request, created: true };
  return {
    catalog,
    incidents: {
      get: async (id) => (id === incident.id ? incident : null),
      listOpen: async () => [incident],
    },
    remediation: {
      getRun: async () => null,
      runStep: async () => ({ ok: true, jobIds: ['J1'] }),
      requestStep: async () => ok,
      markDone: async () => ({ ok: true }),
    },
    approvals: {
      approve: async () => ok,
      reject: async () => ok,
      cancel: async () => ok,
      get: async () => request,
      listForIncident: async () => [request],
    },
    access: {
      mayRunRead: async (actor) => {
        const d = evaluateRequest(policy, { principal: con(actor.id), risk: 'read', target: HQ });
        return { allowed: d.allowed, reason: d.reason };
      },
    },
    checks: {
      run: async () => ({
        ok: true,
        jobId: 'check-1',
        site: 'Site-A',
        command: "Get-ServerHealth -Identity 'EX01'",
      }),
    },
    jobs: {
      recent: async () => [
        {
          jobId: 'J1',
          actionId: 'restart-service',
          server: 'EX01',
          site: 'Site-A',
          incidentId: 'INC-7',
          state: 'failed',
          requestedBy: 'alice',
          at: '2026-11-27T03:00:00.000Z',
          summary: 'step pop-deep/pop-deep.4 cannot run: no server is known',
        } as never,
      ],
    },
    workers: {
      online: async () => [{ workerId: 'w1', host: 'win1', sites: ['Site-A'], lastBeat: 'now' }],
      knownSites: () => ['Site-A', 'Site-B'],
    },
    audit: {
      latest: async () => [
        {
          seq: 1,
          at: '2026-11-27T03:00:00.000Z',
          actor: { platform: 'console', id: 'alice' },
          action: 'approval.requested',
          incidentId: 'INC-7',
          server: 'EX01',
          params: {},
          result: 'requested',
        } as never,
      ],
    },
    prefs: { langOf: async () => 'zh-TW', setLang: async () => {} },
    redraw: async () => {},
    clock: () => NOW,
  };
}

// --- the check ----------------------------------------------------------------------------------

test('what was built is not empty (every kind of text was reached)', () => {
  const kinds = [
    'runbook card',
    'incident card',
    'outage card',
    'result',
    'command',
    'command "jobs" line',
    'command "incidents" line',
    'command "audit" audit line',
    'result DAG safety',
    'parse error',
    'refusal',
    'console string',
  ];
  for (const k of kinds)
    expect(seen.filter((s) => s.where.startsWith(k)).length).toBeGreaterThan(0);
  // Every section of every runbook file.
  expect(
    new Set(seen.map((s) => /^runbook card (\S+)/.exec(s.where)?.[1]).filter(Boolean)).size,
  ).toBe(catalog.sections.size);
});

test('the checker itself finds English and lets identifiers through', () => {
  expect(englishWords('步驟 2.1 · Get server health')).toEqual(['Get', 'server', 'health']);
  expect(englishWords('執行 `Get-ServerHealth -Identity EX01`')).toEqual([]);
  expect(englishWords('在 EX01 上執行 Restart-Service -Name MSExchangePOP3BE')).toEqual([]);
  expect(englishWords('POP.Protocol\\PopCTPProbe（INC-7，R-1）於 2026-11-27 03:00:00Z')).toEqual(
    [],
  );
  expect(englishWords('Exchange 伺服器 (error / normal)')).toEqual(['error', 'normal']);
});

test('every text a zh-TW channel shows is in Traditional Chinese', () => {
  const found = new Map<string, string[]>();
  for (const { where, text } of seen) {
    const words = englishWords(text);
    if (words.length === 0) continue;
    const line = `${JSON.stringify(text.slice(0, 160))} → ${[...new Set(words)].join(' ')}`;
    const list = found.get(line) ?? [];
    list.push(where);
    found.set(line, list);
  }
  const report = [...found]
    .sort()
    .map(
      ([line, wheres]) =>
        `${line}\n    at ${wheres[0]}${wheres.length > 1 ? ` (+${wheres.length - 1} more)` : ''}`,
    );
  expect(report).toEqual([]);
});
