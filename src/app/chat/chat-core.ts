import type { FlowResult } from '../approvals/approval-flow';
import type { Actor } from '../../domain/identity/actor';
import { formatAuditView, parseAuditSubject } from '../../domain/audit/format-audit-view';
import { decodeActionRef, type ActionRef } from '../../domain/cards/action-ref';
import type { Card } from '../../domain/cards/card';
import { cardContextFromMatch, renderRunbookCard } from '../../domain/cards/render-runbook-card';
import type { Incident } from '../../domain/incidents/incident';
import type { Catalog } from '../../domain/runbooks/catalog';
import { findStep, flattenSteps } from '../../domain/runbooks/catalog';
import { matchQuery } from '../../domain/runbooks/match-runbook';
import type { ServerRole } from '../../domain/runbooks/schema';
import type { Lang } from '../../domain/runbooks/text';
import { COMMANDS, parseCommand, type ChatCommand } from '../../domain/chat/commands';
import type {
  AccessPort,
  ApprovalsPort,
  AuditPort,
  ChecksPort,
  IncidentsPort,
  JobsPort,
  PrefsPort,
  RemediationPort,
  WorkersPort,
} from './core-ports';
import { renderIncidentCard } from '../../domain/cards/incident-card';
import { runStep } from '../../domain/cards/run-view';
import type { ActionInput, ChannelRef, ChatCore, ChatResponse } from './ports';

export interface ChatCoreDeps {
  catalog: Catalog;
  incidents: IncidentsPort;
  remediation: RemediationPort;
  approvals: ApprovalsPort;
  access: AccessPort;
  checks: ChecksPort;
  jobs: JobsPort;
  workers: WorkersPort;
  audit: AuditPort;
  prefs: PrefsPort;
  rolesOf?: (server: string) => readonly ServerRole[] | null;
  clock?: () => Date;
}

const say = (text: string): ChatResponse => ({ private: { text } });

/**
 * The platform-neutral conversation: what every command and button does. Adapters call it with
 * an `Actor` and the button's opaque value; everything is re-checked here (a value coming back
 * from chat is input), and refusals are private answers, never exceptions.
 */
export function createChatCore(deps: ChatCoreDeps): ChatCore & {
  incidentCard(incident: Incident, lang: Lang): Promise<Card>;
} {
  const clock = deps.clock ?? (() => new Date());

  async function incidentCard(incident: Incident, lang: Lang): Promise<Card> {
    const [run, requests] = await Promise.all([
      deps.remediation.getRun(incident.id),
      deps.approvals.listForIncident(incident.id, 20),
    ]);
    return renderIncidentCard({
      incident,
      catalog: deps.catalog,
      run,
      requests,
      lang,
      now: clock(),
      roles: incident.server ? (deps.rolesOf?.(incident.server.name) ?? null) : null,
    });
  }

  async function command(input: { actor: Actor; channel: ChannelRef; text: string }) {
    const lang = await deps.prefs.langOf(input.channel);
    const parsed = parseCommand(input.text);
    if (!parsed.ok) {
      const usage = parsed.usage ? `Usage: \`/exchange ${parsed.usage}\`` : helpText(lang);
      return say(`${capitalize(parsed.error)}.\n${usage}`);
    }
    try {
      return await runCommand(parsed.command, input.actor, input.channel, lang);
    } catch (err) {
      // A store or queue outage: say so plainly, never a stack trace.
      return say(`Could not do that right now (${errorText(err)}). Try again in a minute.`);
    }
  }

  async function runCommand(
    cmd: ChatCommand,
    actor: Actor,
    channel: ChannelRef,
    lang: Lang,
  ): Promise<ChatResponse> {
    switch (cmd.name) {
      case 'help':
        return say(helpText(lang));
      case 'health':
      case 'probe': {
        const access = await deps.access.mayRunRead(actor, cmd.server);
        if (!access.allowed) return say(access.reason);
        const request =
          cmd.name === 'health'
            ? {
                actionId: 'get-server-health',
                params: {
                  server: cmd.server,
                  ...(cmd.healthSet ? { healthSet: cmd.healthSet } : {}),
                },
              }
            : {
                actionId: 'invoke-monitoring-probe',
                params: { server: cmd.server, healthSet: cmd.healthSet, probe: cmd.probe },
              };
        const queued = await deps.checks.run({ ...request, actor, replyTo: channel, lang });
        if (!queued.ok) return say(`Not run: ${queued.reason}`);
        return {
          private: {
            text: `Queued for a worker in site ${queued.site} (job ${queued.jobId}); the result will be posted here.`,
            code: [{ body: queued.command }],
          },
        };
      }
      case 'runbook': {
        const match = matchQuery(deps.catalog, cmd.query);
        if (match.matchedBy === 'generic') {
          return say(
            `No runbook names "${cmd.query}". Try a monitor (PopProxyTestMonitor), a probe (PopCTPProbe) or a health set (POP).`,
          );
        }
        const card = renderRunbookCard(
          match.section,
          cardContextFromMatch(match, { server: null }, deps.catalog),
          lang,
        );
        return { private: { text: card.fallbackText, card } };
      }
      case 'incidents': {
        const open = await deps.incidents.listOpen(50);
        if (open.length === 0) return say('No open incidents.');
        const lines = open.map(
          (i) =>
            `${i.id}  ${i.severity.padEnd(8)} ${i.healthSet ?? '?'} on ${i.server?.name ?? '?'}: ${i.title} (x${i.occurrences}, last ${i.lastSeen})`,
        );
        return {
          private: { text: `${open.length} open incident(s)`, code: [{ body: lines.join('\n') }] },
        };
      }
      case 'incident': {
        const incident = await deps.incidents.get(cmd.id);
        if (!incident) return say(`No incident ${cmd.id}.`);
        const card = await incidentCard(incident, lang);
        return { private: { text: card.fallbackText, card } };
      }
      case 'jobs': {
        const jobs = await deps.jobs.recent(20);
        if (jobs.length === 0) return say('No jobs yet.');
        const lines = jobs.map(
          (j) =>
            `${j.state.padEnd(9)} ${j.actionId} ${j.server ?? ''} [${j.site}] ${j.incidentId ?? ''} by ${j.requestedBy} at ${j.at}${j.summary ? `: ${j.summary}` : ''}`,
        );
        return { private: { text: 'Running and recent jobs', code: [{ body: lines.join('\n') }] } };
      }
      case 'audit': {
        const subject = parseAuditSubject(cmd.subject);
        // Card redraws would push the decisions out of view: show what people and jobs did.
        const entries = (await deps.audit.latest(subject, 100))
          .filter((e) => e.action !== 'card.updated')
          .slice(0, 15);
        const view = formatAuditView(entries, subject);
        return { private: { text: view.title, code: [{ body: view.lines.join('\n') }] } };
      }
      case 'workers': {
        const online = await deps.workers.online();
        const covered = new Set(online.flatMap((w) => w.sites));
        const lines = online.map(
          (w) =>
            `${w.workerId} on ${w.host}: sites ${w.sites.join(', ')} (last beat ${w.lastBeat})`,
        );
        const missing = deps.workers.knownSites().filter((s) => !covered.has(s));
        for (const s of missing) lines.push(`No worker online for site ${s}: its jobs wait.`);
        if (lines.length === 0) lines.push('No worker online: checks and steps will wait.');
        return { private: { text: 'Workers', code: [{ body: lines.join('\n') }] } };
      }
      case 'lang':
        await deps.prefs.setLang(channel, cmd.lang);
        return {
          public: {
            text:
              cmd.lang === 'zh-TW'
                ? '此頻道的卡片將以繁體中文顯示。'
                : 'Cards in this channel will be in English.',
          },
        };
    }
  }

  async function action(input: {
    actor: Actor;
    channel: ChannelRef;
    value: string;
    input?: ActionInput | undefined;
  }): Promise<ChatResponse> {
    const ref = decodeActionRef(input.value);
    if (!ref) return say('That button is not valid any more. Use `/exchange incidents`.');
    try {
      return await runAction(ref, input.actor, input.channel, input.input ?? {});
    } catch (err) {
      return say(`Could not do that right now (${errorText(err)}). Nothing was changed.`);
    }
  }

  async function runAction(
    ref: ActionRef,
    actor: Actor,
    channel: ChannelRef,
    extra: ActionInput,
  ): Promise<ChatResponse> {
    const lang = ref.lang && ref.op !== 'switch-lang' ? ref.lang : await deps.prefs.langOf(channel);
    if (ref.op === 'switch-lang') {
      const next = ref.lang ?? 'en';
      await deps.prefs.setLang(channel, next);
      const incident = ref.incident ? await deps.incidents.get(ref.incident) : null;
      return incident ? { updatedCard: await incidentCard(incident, next) } : {};
    }
    const incident = ref.incident ? await deps.incidents.get(ref.incident) : null;
    if (ref.incident && !incident) return say(`Incident ${ref.incident} no longer exists.`);

    const redraw = async (r: ChatResponse): Promise<ChatResponse> =>
      incident
        ? {
            ...r,
            updatedCard: await incidentCard(
              (await deps.incidents.get(incident.id)) ?? incident,
              lang,
            ),
          }
        : r;

    switch (ref.op) {
      case 'approve':
      case 'reject':
      case 'cancel-request': {
        if (!ref.request) return say('That button names no request.');
        const target = await deps.approvals.get(ref.request);
        // A button acts on its own incident's request only (a value from chat is input).
        if (!target || (ref.incident && target.incidentId !== ref.incident)) {
          return say('That request does not belong to this card.');
        }
        let result: FlowResult;
        if (ref.op === 'approve') {
          result = await deps.approvals.approve({
            actor,
            requestId: ref.request,
            ...(extra.reason ? { breakGlassReason: extra.reason } : {}),
          });
        } else if (ref.op === 'reject') {
          const reason = extra.reason?.trim() ?? '';
          if (reason === '') return say('Say why you reject it: the reason is recorded.');
          result = await deps.approvals.reject({
            actor,
            requestId: ref.request,
            reason: reason.slice(0, 500),
          });
        } else {
          result = await deps.approvals.cancel({ actor, requestId: ref.request });
        }
        if (!result.ok) return say(result.reason);
        const done =
          ref.op === 'approve'
            ? `Approved: ${result.request.title} on ${result.request.server ?? '?'} is queued.`
            : ref.op === 'reject'
              ? `Rejected: ${result.request.title}.`
              : `Cancelled: ${result.request.title}.`;
        return redraw({ private: { text: done } });
      }
      case 'open-section': {
        const section = deps.catalog.sections.get(ref.section);
        if (!section) return say(`The runbook has no section "${ref.section}".`);
        const card = renderRunbookCard(
          section,
          {
            server: incident
              ? ref.server === 'relatedServer'
                ? incident.relatedServer
                : incident.server
              : null,
            relatedServer: incident?.relatedServer ?? null,
            healthSet: incident?.healthSet ?? null,
            probe: null,
            roles: null,
            catalog: deps.catalog,
          },
          lang,
        );
        return { private: { text: card.fallbackText, card } };
      }
      default:
        break;
    }

    // run-step, run-checks, mark-done act on an incident's run.
    if (!incident)
      return say('This card is not about an incident; open one with `/exchange incident <id>`.');
    if (incident.status === 'resolved')
      return say(`${incident.id} is resolved; nothing more runs.`);
    if (!incident.actionable || !incident.server) {
      return say(`${incident.id} names no valid server, so nothing can run for it.`);
    }
    const section = deps.catalog.sections.get(ref.section);
    if (!section) return say(`The runbook has no section "${ref.section}".`);
    const role = ref.role;

    if (ref.op === 'run-checks') {
      const access = await deps.access.mayRunRead(actor, incident.server.name);
      if (!access.allowed) return say(access.reason);
      const checks = flattenSteps(section.steps).filter((s) => s.kind === 'check' && s.action);
      const queued: string[] = [];
      const refused: string[] = [];
      for (const step of checks) {
        const r = await deps.remediation.runStep({
          incidentId: incident.id,
          sectionId: section.id,
          stepId: step.id,
          actor,
        });
        if (r.ok) queued.push(step.number);
        else refused.push(`${step.number}: ${r.reason}`);
      }
      const text =
        (queued.length > 0 ? `Running checks ${queued.join(', ')}.` : 'No check could run.') +
        (refused.length > 0 ? ` Not run: ${refused.join('; ')}` : '');
      return redraw({ private: { text } });
    }

    const step = ref.step ? findStep(section, ref.step) : undefined;
    if (!step) return say('That step is not in the runbook any more.');
    const address = {
      incidentId: incident.id,
      sectionId: section.id,
      stepId: step.id,
      role,
      actor,
    };

    if (ref.op === 'mark-done') {
      // Only a manual step is "done" by someone's word; a change is settled by its check.
      if (step.kind !== 'manual') return say(`Step ${step.number} is not a manual step.`);
      const access = await deps.access.mayRunRead(actor, incident.server.name);
      if (!access.allowed) return say(access.reason);
      const r = await deps.remediation.markDone(address);
      return r.ok
        ? redraw({ private: { text: `Step ${step.number} marked done.` } })
        : say(r.reason);
    }
    if (ref.op !== 'run-step') return say('That button does nothing here.');

    if (step.kind === 'check' || step.kind === 'wait') {
      const access = await deps.access.mayRunRead(actor, incident.server.name);
      if (!access.allowed) return say(access.reason);
      const r = await deps.remediation.runStep(address);
      return r.ok
        ? redraw({
            private: { text: `Step ${step.number} is running; the result goes to the thread.` },
          })
        : say(`Step ${step.number} not run: ${r.reason}`);
    }
    if (step.kind === 'change' || step.kind === 'destructive') {
      const rec = runStep(await deps.remediation.getRun(incident.id), section.id, step.id);
      if (rec?.verify && rec.outcome === undefined) {
        // Its outcome is unknown: the button runs the read-only check that settles it.
        const access = await deps.access.mayRunRead(actor, incident.server.name);
        if (!access.allowed) return say(access.reason);
        const v = await deps.remediation.runStep(address);
        return v.ok
          ? redraw({
              private: { text: `Verifying step ${step.number} with ${rec.verify.actionId}.` },
            })
          : say(`Step ${step.number} not verified: ${v.reason}`);
      }
      const r = await deps.remediation.requestStep({ ...address, confirmed: extra.confirmed });
      if (!r.ok) return say(r.reason);
      const what = r.request.autoApproved
        ? `Step ${step.number} needs no approval under the policy; it is queued.`
        : r.created === false
          ? `Step ${step.number} was already requested; it waits for approval.`
          : `Requested step ${step.number}; it waits for approval until ${r.request.expiresAt}.`;
      return redraw({ private: { text: what } });
    }
    return say('That step has nothing to run.');
  }

  return { command, action, incidentCard };
}

export function helpText(lang: Lang): string {
  const head =
    lang === 'zh-TW'
      ? '用法：`/exchange <子命令>`（Teams：@提及機器人後輸入子命令）'
      : 'Usage: `/exchange <sub-command>` (Teams: @mention the bot, then the sub-command)';
  const lines = COMMANDS.map((c) => `• \`${c.usage}\` — ${c.summary[lang]}`);
  return [head, ...lines].join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
}
