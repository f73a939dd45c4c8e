import type { ActionId, Risk } from '../actions/registry';
import type { Lang } from '../runbooks/text';
import type { ServerRole, StepKind } from '../runbooks/schema';
import type { StepState } from '../remediation/run';

/** A card shows a run's step states (adapters choose an icon for each); the run owns the type. */
export type { StepState };

/**
 * The one card model every surface renders: Slack Block Kit, Teams Adaptive Cards and the HTML
 * console each turn it into their own format. It carries everything they need (texts already in
 * the channel's language, exact commands, button values, confirm dialogs) and nothing that
 * belongs to one platform: no markdown dialect, no block ids, no colours.
 */
export interface Card {
  /** Bumped when the shape changes, so a stored card can be recognised. */
  version: 1;
  lang: Lang;
  title: string;
  subtitle?: string | undefined;
  /** How the surface should colour it; each maps it to its own palette. */
  tone: CardTone;
  /** Plain text for notifications and clients that cannot show the card. */
  fallbackText: string;
  summary?: string | undefined;
  facts: CardFact[];
  notes: string[];
  steps: CardStep[];
  /** Card-wide buttons (run the read-only checks, show the verify procedure, language). */
  actions: CardAction[];
  links: CardLink[];
  /**
   * The incident's approval block: every request made for a step of this incident, newest first,
   * with its state for everyone in the channel and the buttons that still apply. Absent on a bare
   * runbook card.
   */
  requests?: CardRequest[] | undefined;
  /** A one-line status of the incident and its run ("Recovered", "Waiting 10 min (demo: 20 s)"). */
  status?: CardStatus | undefined;
}

export interface CardStatus {
  label: string;
  tone: CardTone | 'good';
}

/** One approval request as the card shows it (see src/approvals). */
export interface CardRequest {
  id: string;
  title: string;
  /** `ApprovalState`: pending, approved, rejected, expired, cancelled, running, succeeded, failed, unknown. */
  state: string;
  stateLabel: string;
  risk: 'read' | 'change' | 'destructive';
  /** The exact PowerShell that runs, with its values. */
  command: string;
  server: string | null;
  /** Localized lines: requester, approver, expiry, reason, outcome. */
  lines: string[];
  /** Approve / Reject / Cancel while pending; a read-only check after an unknown outcome. */
  actions: CardAction[];
}

export type CardTone = 'info' | 'warning' | 'attention';

export interface CardFact {
  /** Stable key for adapters and tests; `label` is the localized text. */
  key:
    | 'healthSet'
    | 'monitor'
    | 'probe'
    | 'server'
    | 'relatedServer'
    | 'role'
    | 'matchedBy'
    | 'source'
    | 'severity'
    | 'status'
    | 'firstSeen'
    | 'lastSeen'
    | 'occurrences'
    | 'verdict'
    | 'incident';
  label: string;
  value: string;
}

export interface CardStep {
  id: string;
  /** The source's numbering: "3" or "3.2". */
  number: string;
  /** 0 for a step, 1 for a sub-step. */
  depth: number;
  kind: StepKind;
  kindLabel: string;
  text: string;
  /** When it runs, in words ("Only if step 2 failed"). */
  condition?: string | undefined;
  /** Waits and repeats, in words. */
  timing?: string | undefined;
  /** The PowerShell it runs: none, one, or one per role when the role is unknown. */
  commands: CardCommand[];
  state: StepState;
  stateLabel: string;
  /** False when it cannot be run from the card (values missing, not applicable, nothing to run). */
  actionable: boolean;
  blockedReason?: string | undefined;
  notes: string[];
  links: CardLink[];
  actions: CardAction[];
  steps: CardStep[];
  /** What a safety pre-check found before this step may run (a failover's copies), with its verdict. */
  evidence?: CardEvidence | undefined;
}

/**
 * A small table of values (a step's parsed output, a pre-check's evidence). Every surface draws it
 * its own way: Slack aligned text or fields, Teams the Adaptive Card `Table`, the console an HTML
 * table. Cells are display text, already in the card's language; identifiers stay as they are.
 */
export interface CardTable {
  title?: string | undefined;
  columns: CardTableColumn[];
  /** One cell per column, in the columns' order. */
  rows: CardTableRow[];
  /** Rows left out to fit a platform's limits; the raw output has them all. */
  omittedRows?: number | undefined;
}

export interface CardTableColumn {
  /** Stable for adapters and tests ("database", "copyQueue"); `label` is the localized header. */
  key: string;
  label: string;
  /** Numbers align right. */
  align?: 'left' | 'right' | undefined;
}

export interface CardTableRow {
  cells: string[];
  /** A row that is the reason for a verdict (an unhealthy copy) may be marked. */
  tone?: CardTone | 'good' | undefined;
}

/** A pre-check's verdict and what it was decided on. */
export interface CardEvidence {
  /** One line: "Failover allowed: every database has a healthy copy elsewhere". */
  verdict: string;
  tone: CardTone | 'good';
  tables: CardTable[];
  /** When the evidence was read (ISO 8601), so a stale one can be told. */
  checkedAt?: string | undefined;
}

export interface CardCommand {
  actionId: ActionId;
  risk: Risk;
  /** Always PowerShell today; named so a renderer can pick highlighting. */
  language: 'powershell';
  /** Exact text from `buildCommand`; with `<placeholders>` when `complete` is false. */
  text: string;
  complete: boolean;
  role?: ServerRole | undefined;
  roleLabel?: string | undefined;
}

export interface CardAction {
  /** Stable and unique within the card (Slack action_id, Teams action id, HTML form name). */
  id: string;
  label: string;
  style: 'default' | 'primary' | 'danger';
  /** `encodeActionRef(...)`: what the click handler receives back. */
  value: string;
  confirm?: CardConfirm | undefined;
  /**
   * The click needs a line of text first (a reject reason, a break-glass reason): the adapter asks
   * for it (Slack modal, Teams Input.Text, console prompt) and passes it as `input.reason`.
   */
  needsReason?: { title: string; label: string; submit: string; optional: boolean } | undefined;
}

/** A confirmation dialog; kept within Slack's limits (title, confirm, deny <= 30 characters). */
export interface CardConfirm {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export interface CardLink {
  title: string;
  url: string;
}
