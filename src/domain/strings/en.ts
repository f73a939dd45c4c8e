/**
 * Every user-facing string in English, the reference language: its keys are the catalogue's
 * keys, and its `{placeholders}` are the values each string takes (zh-TW.ts must have the same).
 * A key ending in `.one` / `.other` is a plural pair, read with `plural()`.
 *
 * Runbook texts are not here: they come from the runbook files, in their own languages.
 */
export const en = {
  // --- runbook cards (src/domain/cards/runbook-card.ts) -------------------------------
  'card.kind.check': 'Check',
  'card.kind.change': 'Change (needs approval)',
  'card.kind.destructive': 'Destructive (strict approval)',
  'card.kind.wait': 'Wait',
  'card.kind.manual': 'Manual',
  'card.kind.goto': 'Go to',

  'card.state.pending': 'Pending',
  'card.state.not-applicable': 'Not applicable',
  'card.state.blocked': 'Blocked',
  'card.state.awaiting-approval': 'Awaiting approval',
  'card.state.running': 'Running',
  'card.state.succeeded': 'Succeeded',
  'card.state.failed': 'Failed',
  'card.state.skipped': 'Skipped',
  'card.state.done': 'Done',

  'card.fact.healthSet': 'Health set',
  'card.fact.monitor': 'Monitor',
  'card.fact.probe': 'Probe',
  'card.fact.server': 'Server',
  'card.fact.relatedServer': 'Mailbox server (_Mbx)',
  'card.fact.role': 'Server role',
  'card.fact.matchedBy': 'Matched by',
  'card.fact.source': 'Source',
  'card.fact.severity': 'Severity',
  'card.fact.status': 'Status',
  'card.fact.firstSeen': 'First seen',
  'card.fact.lastSeen': 'Last seen',
  'card.fact.occurrences': 'Occurrences',
  'card.fact.verdict': 'Verify verdict',
  'card.fact.incident': 'Incident',

  'card.role.client-access': 'Client Access',
  'card.role.mailbox': 'Mailbox',

  'card.matchedBy.monitor': 'monitor name',
  'card.matchedBy.monitor-alias': 'monitor alias',
  'card.matchedBy.probe': 'probe',
  'card.matchedBy.health-set': 'health set (verify procedure)',
  'card.matchedBy.generic': 'no runbook (generic verify procedure)',

  'card.source.seed': 'seed runbook',
  'card.source.derived': 'derived from Microsoft documentation',
  'card.source.operator': 'operator runbook',

  'card.unknown': 'unknown',
  'card.invalidServer': '{server} (not a valid server name)',
  'card.condition.done': 'only after step {step} ran',
  'card.condition.failed': 'only if step {step} failed',
  'card.condition.succeeded': 'only if step {step} succeeded',
  'card.condition.onlyRole': 'only on a {role} server',
  'card.condition.roleUnknown': 'server role unknown: decide before running',
  /** Joins the conditions of one step. */
  'card.condition.and': ' and ',
  'card.timing.wait.one': 'Waits {count} minute first.',
  'card.timing.wait.other': 'Waits {count} minutes first.',
  'card.timing.repeat':
    'Repeats every {seconds} s until it succeeds, at most {times} times; otherwise the procedure stops here.',
  'card.timing.gotoMonitorRecovery': 'Continues with the recovery section of the failing monitor.',
  'card.timing.gotoSection': 'Continues with: {title}',
  /** Appended to `card.timing.gotoSection`. */
  'card.timing.onServer': ' (on {server})',
  'card.blocked': 'Cannot run: {problems}',
  'card.note': 'Note',

  'card.button.runCheck': 'Run check',
  'card.button.requestApproval': 'Request approval',
  'card.button.markDone': 'Mark done',
  'card.button.openSection': 'Open section',
  'card.button.runChecks': 'Run read-only checks',
  'card.button.verifyFirst': 'Verify first',
  /** The language switch: named in the language it switches to. */
  'card.button.otherLang': '中文',
  'card.button.withRole': '{label}: {role}',

  'card.confirm.title': 'Request approval?',
  'card.confirm.text': 'This asks for approval to run on {server}:\n{command}',
  'card.confirm.confirm': 'Request approval',
  'card.confirm.deny': 'Cancel',

  // --- incident cards (src/domain/cards/incident-card.ts) ------------------------------------
  'incident.unknownHealthSet': 'Unknown health set',
  'incident.notActionable':
    'The alert did not name a valid server, so nothing can be run from this card. Check the alert in SCOM.',
  'incident.status.open': 'Open',
  'incident.status.resolved': 'Resolved',
  'incident.verdict.pending': 'Verifying…',
  'incident.verdict.confirmed': 'Confirmed: the probe still fails',
  'incident.verdict.transient': 'Transient: the probe succeeds now',
  'incident.verdict.unknown': 'Unknown: the verify checks could not run',
  'incident.waitShortened':
    "Waits are shortened for the demo: the runbook's {minutes} min last {seconds} s here.",

  'incident.line.resolved': 'Resolved',
  'incident.line.recovered': 'Recovered: the probe succeeds again',
  'incident.line.transient': 'Transient: already gone when verified',
  'incident.line.escalated': 'Escalated: the runbook is exhausted, contact support',
  'incident.line.verifying': 'Verifying the alert…',
  'incident.line.failed': 'A step failed: see the thread',
  'incident.line.stopped': 'Run stopped',
  'incident.line.inProgress': 'In progress',
  'incident.line.new': 'New',
  'incident.line.unknownOutcome': 'Outcome unknown: verify with the read-only check',
  'incident.line.awaitingApproval': 'Waiting for approval: {title}',
  'incident.line.running': 'Running: {title}',
  'incident.line.waiting': 'Waiting until {until}',
  'incident.line.needsRequest': 'Confirmed: the next step needs someone to ask for approval',

  // --- the approval block of an incident card ------------------------------------------------
  'request.confirm.title': 'Approve a destructive step?',
  'request.confirm.text': 'You approve running this on {server}:\n{command}',
  'request.confirm.confirm': 'Approve',
  'request.confirm.deny': 'Cancel',
  'chat.request.confirmFirst':
    'Approving a destructive step needs a confirmation: press Approve on the card and confirm running `{command}` on {server}.',
  'request.button.approve': 'Approve',
  'request.button.reject': 'Reject',
  'request.button.cancel': 'Cancel request',
  'request.button.breakGlass': 'Break glass',
  'request.button.verifyNow': 'Verify now',
  'request.reject.title': 'Reject the request',
  'request.reject.label': 'Why?',
  'request.reject.submit': 'Reject',
  'request.breakGlass.title': 'Break glass',
  'request.breakGlass.label':
    'Why must this run without a second person? (recorded in the audit trail)',
  'request.breakGlass.submit': 'Approve',

  'request.risk.read': 'read-only',
  'request.risk.change': 'change',
  'request.risk.destructive': 'destructive',
  'request.line.incident': 'Incident: {incident}',
  'request.line.step': 'Step: {title} ({action}, {risk})',
  'request.line.server': 'Server: {server}',
  /** The value of `request.line.server` when the server's site is known. */
  'request.line.serverSite': '{server} (site {site})',
  'request.line.requestedBy': 'Requested by: {who} at {at}',
  'request.line.approvedBy': 'Approved by: {who} at {at}',
  'request.line.expires': 'Expires: {at}',
  'request.line.note': 'Note: {note}',

  'request.state.pending': 'Waiting for approval until {until}',
  'request.state.expiredPending': 'Expired at {at}',
  'request.state.queued': 'Runs without approval (queued)',
  'request.state.approvedBy': 'Approved by {who} at {at} (queued)',
  /** Appended to `request.state.approvedBy`. */
  'request.state.breakGlass': ' (break glass: {reason})',
  'request.state.rejectedBy': 'Rejected by {who}: {reason}',
  'request.state.expired': 'Expired at {at} without a decision',
  'request.state.cancelled': 'Cancelled by the requester',
  'request.state.running': 'Running since {since}',
  'request.state.succeeded': 'Succeeded',
  'request.state.failed': 'Failed',
  'request.state.unknown':
    'Outcome unknown: the worker stopped mid-job. Verify with the read-only check.',
  /** Unknown, and we know which worker stopped (its heartbeat lapsed, or a worker found it so). */
  'request.state.unknownWorker':
    'Outcome unknown: worker {worker} stopped during this change ({at}). Check {server} with a read-only check before anything else; no other change runs there until its server lock lapses.',
  /** A finished request's state with the job's summary. */
  'request.state.withSummary': '{state}: {summary}',

  // --- /exchange sub-commands (src/domain/chat/commands.ts, src/app/chat) --------------------
  'command.summary.health':
    'Run Get-ServerHealth on a server (optionally one health set) and post the result.',
  'command.summary.probe':
    'Re-run a monitoring probe (Invoke-MonitoringProbe) and post the result.',
  'command.summary.runbook': 'Show the runbook section for a monitor, probe or health set.',
  'command.summary.incidents': 'List the open incidents.',
  'command.summary.incident': 'Show one incident with its runbook card.',
  'command.summary.jobs': 'Running and recent jobs.',
  'command.summary.audit': 'The latest audit trail entries, for a server or an incident.',
  'command.summary.workers': 'Which sites have a worker online.',
  'command.summary.lang': 'Set the language of this channel.',
  'command.summary.help': 'This list.',

  'chat.help.head':
    'Usage: `/exchange <sub-command>` (Teams: @mention the bot, then the sub-command)',
  'chat.help.line': '• `{usage}` — {summary}',
  'chat.usage': 'Usage: `/exchange {usage}`',
  'chat.error.tryAgain': 'Could not do that right now ({error}). Try again in a minute.',
  'chat.error.nothingChanged': 'Could not do that right now ({error}). Nothing was changed.',

  'chat.check.notRun': 'Not run: {reason}',
  'chat.check.queued':
    'Queued for a worker in site {site} (job {job}); the result will be posted here.',
  'chat.runbook.none':
    'No runbook names "{query}". Try a monitor (PopProxyTestMonitor), a probe (PopCTPProbe) or a health set (POP).',
  'chat.incidents.none': 'No open incidents.',
  'chat.incidents.title': '{count} open incident(s)',
  'chat.incidents.line':
    '{id}  {severity} {healthSet} on {server}: {title} (x{occurrences}, last {lastSeen})',
  'chat.incident.none': 'No incident {id}.',
  'chat.jobs.none': 'No jobs yet.',
  'chat.jobs.title': 'Running and recent jobs',
  'chat.jobs.line': '{state} {action} {server} [{site}] {incident} by {who} at {at}',
  'chat.jobs.lineSummary': '{line}: {summary}',
  'chat.workers.title': 'Workers',
  'chat.workers.line': '{worker} on {host}: sites {sites} (last beat {lastBeat})',
  'chat.workers.siteMissing': 'No worker online for site {site}: its jobs wait.',
  'chat.workers.none': 'No worker online: checks and steps will wait.',
  /** Said in the language just chosen. */
  'chat.lang.set': 'Cards in this channel will be in English.',

  'approval.withdrawnOutcome': 'withdrawn by the bot at {at}: {reason}',
  'chat.request.withdrawn':
    'Request {id} was withdrawn by the bot at {at}: {reason}. Nothing was approved; ask again from the card if the step is still needed.',
  'request.state.withdrawn': 'Withdrawn by the bot: {reason}',
  'chat.button.unbound':
    'That button does not say what it acts on (it names no {fields}), so nothing was done. Use the buttons of the current card.',
  'chat.button.otherVersion':
    'That button comes from a card {id} never had, so nothing was done. Use the buttons of the current card.',
  'chat.outage.gone': 'That outage is over and no longer kept ({id}).',
  'chat.outage.notMember': 'That incident is no longer part of this outage.',
  'chat.outage.members': 'All {count} incidents of the outage in {site}:',
  'chat.outage.noChecks': 'This outage has no dependency check to run.',
  'chat.button.invalid': 'That button is not valid any more. Use `/exchange incidents`.',
  'chat.incident.gone': 'Incident {id} no longer exists.',
  'chat.request.none': 'That button names no request.',
  'chat.request.otherCard': 'That request does not belong to this card.',
  'chat.request.reasonNeeded': 'Say why you reject it: the reason is recorded.',
  'chat.request.approved': 'Approved: {title} on {server} is queued.',
  'chat.request.rejected': 'Rejected: {title}.',
  'chat.request.cancelled': 'Cancelled: {title}.',
  'chat.section.none': 'The runbook has no section "{section}".',
  'chat.run.noIncident':
    'This card is not about an incident; open one with `/exchange incident <id>`.',
  'chat.run.resolved': '{id} is resolved; nothing more runs.',
  'chat.run.noServer': '{id} names no valid server, so nothing can run for it.',
  'chat.checks.running': 'Running checks {steps}.',
  'chat.checks.none': 'No check could run.',
  /** Appended to `chat.checks.running` or `chat.checks.none`. */
  'chat.checks.refused': ' Not run: {refused}',
  'chat.checks.refusedOne': '{step}: {reason}',
  'chat.step.gone': 'That step is not in the runbook any more.',
  'chat.step.notManual': 'Step {step} is not a manual step.',
  'chat.step.markedDone': 'Step {step} marked done.',
  'chat.step.running': 'Step {step} is running; the result goes to the thread.',
  'chat.step.notRun': 'Step {step} not run: {reason}',
  'chat.step.verifying': 'Verifying step {step} with {action}.',
  'chat.step.notVerified': 'Step {step} not verified: {reason}',
  'chat.step.autoApproved': 'Step {step} needs no approval under the policy; it is queued.',
  'chat.step.alreadyRequested': 'Step {step} was already requested; it waits for approval.',
  'chat.step.requested': 'Requested step {step}; it waits for approval until {until}.',
  'chat.step.nothingToRun': 'That step has nothing to run.',

  // --- step and check results (src/app/chat/format-result.ts, src/main/chat-runtime.ts) ------
  'result.text': '{icon} {what}: {summary} ({seconds} s)',
  'result.output': 'Output',
  'result.leftOut': '… ({count} characters left out) …',
  'result.stepLabel': 'Step {step} · {title}',
  'result.onServer': '{action} on {server}',
  'result.succeeded': 'succeeded',
  /** A link to a whole step output (Slack, Teams). */
  'reply.fullOutput': 'Full output',

  // --- Slack (adapters/slack) ----------------------------------------------------------------
  'slack.moreSteps.one': '{count} more step — open the runbook',
  'slack.moreSteps.other': '{count} more steps — open the runbook',
  'slack.openRunbook': 'Open the runbook',
  'slack.moreRequests.one': '{count} older request not shown',
  'slack.moreRequests.other': '{count} older requests not shown',
  'slack.moreChars': '…({count} more characters)',
  'slack.links': 'Runbook',

  // --- Teams (adapters/teams) ----------------------------------------------------------------
  'teams.requests': 'Approval requests',
  'teams.moreSteps.one':
    '{count} more step is not shown (Teams card size limit). Ask the bot for the runbook to see the whole procedure.',
  'teams.moreSteps.other':
    '{count} more steps are not shown (Teams card size limit). Ask the bot for the runbook to see the whole procedure.',
  'teams.moreRequests.one': '{count} older request not shown.',
  'teams.moreRequests.other': '{count} older requests not shown.',
  'teams.reasonRequired': 'Please give a reason.',
  'teams.truncated': 'Output shortened ({count} characters in full).',
  'teams.noAadId': 'The bot could not identify your account (no AAD object id).',
  'teams.noAccount': 'The bot could not identify your account.',
  'teams.commandFailed': 'The command failed; it was logged.',
  'teams.actionFailed': 'The action failed; it was logged.',
  'teams.notOurAction': 'Not an action of this bot.',
  'teams.badActionData': 'The action data is malformed.',
  /** Who a private answer @mentions when Teams gives no name. */
  'teams.you': 'you',

  // --- the local console (adapters/console; served to its page) ------------------------------
  'console.title': 'exchange-chatops console',
  'console.you': 'You are',
  'console.userLabel': 'Console user',
  'console.raiseLabel': 'Raise a demo alert',
  'console.scenarioLabel': 'Alert scenario',
  'console.raise': 'Raise alert',
  'console.commandPlaceholder':
    'help · health EX01 · probe EX01 POP\\PopCTPProbe · incidents · workers',
  'console.send': 'Send',
  /** The page's own language switch: named in the language it switches to. */
  'console.otherLang': '中文',
  'console.onlyYou': 'only you can see this',
  'console.reasonNeeded': 'A reason is needed.',
  'console.startFailed': 'The console could not start: {error}',
  /** Sign-in (OpenID Connect) and its refusals: the page and the server's sign-in pages. */
  'console.signIn': 'Sign in',
  'console.signOut': 'Sign out',
  'console.signedOut': 'You are signed out of the console.',
  'console.signInNeeded': 'You are not signed in, or your session has ended: sign in again.',
  'console.crossSite':
    'Refused: the request did not come from this console’s own page (cross-site request or a missing token). Reload the page.',
  'console.readOnly':
    'This console is read-only: sign-in (OpenID Connect, CONSOLE_OIDC_*) is not configured, so nobody can ask for, approve or run anything from it. Use Slack or Teams, or ask the operator to configure sign-in.',
  'console.readOnlyBanner':
    'Read-only: sign-in is not configured, so this console shows the alerts but cannot act on them.',
  'console.pickUser': 'Pick a console user first.',
  'console.providerDown': 'The sign-in provider cannot be reached. Try again in a moment.',
  'console.loginExpired':
    'This sign-in took too long or was started in another browser. Sign in again.',
  'console.loginFailed':
    'Sign-in failed: the provider’s answer could not be verified. Sign in again.',
  'console.noIdentity':
    'Signed in, but your token carries no user principal name or email address, so the console cannot tell who you are. Ask the administrator to add the upn or email claim.',
  'console.demoBanner':
    "Demo: simulated Exchange ({servers} in sites {sites}). The runbook's 10-minute waits last {seconds} s here. Ask as alice (operator), approve as bob or carol (approvers); ana is an admin.",
  /** Joins a list's last two items ("site-a and site-b"). */
  'list.and': ' and ',
  'list.or': ' or ',
  'cli.runbooks.ambiguous':
    'runbooks show: "{query}" is a monitor in several health sets; which one did the alert name?',
  'cli.runbooks.chooseWith':
    "Choose with {flag} (the alert's health set), or write the name as {qualified}.",
  'cli.audit.empty':
    "audit trail empty: no entries under the prefix {prefix} in {redis}. If the bot has run, set REDIS_PREFIX and REDIS_URL to the bot's (the demo uses exchops-demo).",
  // --- outage cards and holds (src/domain/outages/) ------------------------------------------
  'outage.title': 'Outage in {site}: {cause}',
  'outage.familyCause': '{family} health sets',
  'outage.incidents.one': '{count} incident',
  'outage.incidents.other': '{count} incidents',
  'outage.servers.one': '{count} server',
  'outage.servers.other': '{count} servers',
  'outage.subtitle': '{incidents} on {servers}',
  'outage.fact.status': 'Status',
  'outage.fact.firstSeen': 'First seen',
  'outage.fact.lastSeen': 'Last seen',
  'outage.status.open': 'Open: {open} of {total} incidents still failing',
  'outage.status.resolved': 'Resolved after {duration}',
  'outage.causes.heading': 'Likely cause',
  'outage.causes.sharedByAll': '{name}: every failing probe depends on it ({members})',
  'outage.causes.shared': '{name}: {members} of {total} failing probes depend on it',
  'outage.causes.none':
    'No shared dependency is known: the same {family} health sets fail on many servers.',
  'outage.affected': '{healthSet} in {site}: {servers} ({list})',
  'outage.unknownHealthSet': '(no health set)',
  'outage.more': '+{n} more',
  'outage.member': '{server} · {healthSet} · {monitor} · {state} · {at}',
  'outage.memberState.open': 'failing',
  'outage.memberState.resolved': 'resolved',
  'outage.membersShown': 'Showing {shown} of {total} incidents; all are in the thread.',
  'outage.held':
    'Changes for these incidents (service restarts, failovers) are held: a restart cannot fix a shared dependency. Check the dependencies first.',
  'outage.dependencyCheck.text': 'Check {name} from {server}',
  'outage.dependencyCheck.condition': 'Before any change to a member incident',
  'outage.resolved.summary': 'Resolved after {duration}: {servers} servers, {incidents} incidents.',
  'outage.resolved.noChanges': 'No change was run: the incidents recovered by themselves.',
  'outage.resolved.done': 'What was done:',
  'outage.resolved.thread':
    'Outage in {site} ({cause}) resolved after {duration}; {servers} servers recovered.',
  'outage.pointer': 'Part of the outage in {site} ({cause}): see the outage card.',
  'outage.button.runChecks': 'Run dependency checks',
  'outage.button.openMember': '{server} {healthSet}',
  'outage.button.showMembers': 'All incidents in thread',
  'outage.duration.seconds': '{s} s',
  'outage.duration.minutes': '{m} min',
  'outage.duration.hours': '{h} h',
  'outage.duration.hoursMinutes': '{h} h {m} min',
  'outage.hold.outageMember':
    'Held: this incident is part of an outage (likely cause {cause}). Run the dependency checks on the outage card first.',
  'outage.hold.siteChanges.one':
    'Held: {site} already runs {count} change at once (the limit): {running}.',
  'outage.hold.siteChanges.other':
    'Held: {site} already runs {count} changes at once (the limit): {running}.',
  'outage.hold.dagDestructive':
    'Held: DAG {dag} already has a destructive change running: {running}.',
  'outage.hold.siteChecks':
    'Waiting: {site} has an outage and already runs {limit} checks at once (the limit).',
  'outage.hold.runningChange': '{title} on {server}',
  'outage.heldNow.one': 'Held now: {count} approved change waits for the dependency: {list}.',
  'outage.heldNow.other': 'Held now: {count} approved changes wait for the dependency: {list}.',
  'outage.button.releaseHolds': 'Release held changes',
  'outage.release.title': 'Release held changes',
  'outage.release.label': 'Why may they run now? (audited)',
  'outage.release.submit': 'Release',
  'outage.released':
    'Released by {who}: the held changes of this outage may start ({count} started now; the limits per site still apply).',
  'outage.release.notAllowed': 'Only someone who may ask for changes on {server} may release them.',
  'outage.release.needsReason': 'Say why the held changes may run now.',
  'outage.release.unavailable': 'Nothing is held for this outage.',
  'outage.pending.one':
    'Behind: {count} update pending (the chat platform’s limits); it is drawn next.',
  'outage.pending.other':
    'Behind: {count} updates pending (the chat platform’s limits); the newest is drawn next.',
  'outage.kind.check': 'Check',
  'outage.state.pending': 'Not run',
} as const;
