import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Risk } from '../actions/registry';
import { ROLES, type Role } from './roles';

/**
 * The approval policy file (APPROVAL_POLICY, YAML): who holds which role, optionally only for some
 * sites or servers, and what each risk needs. Parsing is pure; reading the file is the caller's.
 * See docs/approvals.md for the format.
 */

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONSOLE_USER = /^[A-Za-z0-9._-]{1,64}$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A single value or a list, so `slack: U012AB3CD` and `slack: [U012AB3CD]` both read naturally. */
const listOf = (item: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(item));

const slackUser = z.string().regex(SLACK_USER, 'must be a Slack user id such as U012AB3CD');
const slackGroup = z.string().regex(SLACK_GROUP, 'must be a Slack user-group id such as S0123ABCD');
const teamsUser = z
  .string()
  .refine(
    (v) => GUID.test(v) || UPN.test(v),
    'must be a Teams AAD object id (GUID) or a user principal name such as ana@contoso.com',
  )
  .transform((v) => v.toLowerCase());
const consoleUser = z
  .string()
  .regex(CONSOLE_USER, 'must be a console user name (letters, digits, ".", "_", "-")');
const name = z.string().regex(NAME, 'must be a name of letters, digits, ".", "_" or "-"');

const identitySchema = z
  .object({
    slack: listOf(slackUser).optional(),
    teams: listOf(teamsUser).optional(),
    console: listOf(consoleUser).optional(),
  })
  .strict();

const scopeSchema = z
  .object({
    sites: listOf(name).optional(),
    servers: listOf(z.string().min(1, 'must not be empty')).optional(),
  })
  .strict()
  .refine(
    (s) => (s.sites?.length ?? 0) + (s.servers?.length ?? 0) > 0,
    'a scope must name at least one site or server (leave scope out for everywhere)',
  );

const grantSchema = z
  .object({
    people: listOf(name).optional(),
    slack: listOf(slackUser).optional(),
    slackGroups: listOf(slackGroup).optional(),
    teams: listOf(teamsUser).optional(),
    console: listOf(consoleUser).optional(),
    scope: scopeSchema.optional(),
  })
  .strict()
  .refine(
    (g) => [g.people, g.slack, g.slackGroups, g.teams, g.console].some((l) => l && l.length > 0),
    'a grant must name at least one member (people, slack, slackGroups, teams or console)',
  );

const approvalRole = z.enum(['none', 'operator', 'approver', 'admin'], {
  error: 'must be none, operator, approver or admin',
});
const roleName = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

const ruleSchema = z
  .object({
    request: roleName.optional(),
    approval: approvalRole.optional(),
    requesterMayApprove: z.boolean({ error: 'must be true or false' }).optional(),
    breakGlass: z
      .enum(['none', 'approver', 'admin'], { error: 'must be none, approver or admin' })
      .optional(),
  })
  .strict();

const policySchema = z
  .object({
    version: z.literal(1, { error: 'must be 1' }),
    people: z.record(name, identitySchema).optional(),
    roles: z
      .object({
        viewer: z.array(grantSchema).optional(),
        operator: z.array(grantSchema).optional(),
        approver: z.array(grantSchema).optional(),
        admin: z.array(grantSchema).optional(),
      })
      .strict(),
    rules: z
      .object({
        read: ruleSchema.optional(),
        change: ruleSchema.optional(),
        destructive: ruleSchema.optional(),
      })
      .strict()
      .optional(),
    breakGlassMinReasonLength: z.number().int().min(1).max(500).optional(),
  })
  .strict();

export interface Identities {
  slack: string[];
  teams: string[];
  console: string[];
}

export interface Grant {
  role: Role;
  people: string[];
  slack: string[];
  slackGroups: string[];
  teams: string[];
  console: string[];
  /** Absent: the role holds everywhere. */
  scope: { sites: string[]; servers: string[] } | null;
}

export interface RiskRule {
  /** The lowest role that may ask for (or, without approval, run) a step of this risk. */
  request: Role;
  /** The lowest role whose approval lets it run; `none` runs it at once. */
  approval: Role | 'none';
  /** False is the two-person rule: the approver must be another person. */
  requesterMayApprove: boolean;
  /** With the two-person rule, this role may approve its own request with a written reason. */
  breakGlass: Role | 'none';
}

export interface Policy {
  people: Record<string, Identities>;
  grants: Grant[];
  rules: Record<Risk, RiskRule>;
  breakGlassMinReasonLength: number;
}

/** The issue's defaults; a policy file overrides them field by field. */
export const DEFAULT_RULES: Record<Risk, RiskRule> = {
  read: { request: 'operator', approval: 'none', requesterMayApprove: true, breakGlass: 'none' },
  change: {
    request: 'operator',
    approval: 'approver',
    requesterMayApprove: true,
    breakGlass: 'none',
  },
  destructive: {
    request: 'operator',
    approval: 'approver',
    requesterMayApprove: false,
    breakGlass: 'admin',
  },
};

export const DEFAULT_BREAK_GLASS_MIN_REASON = 10;

export interface PolicyProblem {
  /** Where in the file, e.g. `roles.approver[0].slack[1]` (or `(file)`). */
  path: string;
  reason: string;
}

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: PolicyProblem[],
  ) {
    super(
      `Invalid approval policy ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.reason}`).join('\n'),
    );
    this.name = 'PolicyError';
  }
}

export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; error: PolicyError };

/** Parses and checks a policy file's text. Every problem is reported at once, with its path. */
export function parsePolicy(text: string, source = 'policy'): ParsePolicyResult {
  const fail = (problems: PolicyProblem[]): ParsePolicyResult => ({
    ok: false,
    error: new PolicyError(source, problems),
  });
  if (text.trim() === '') return fail([{ path: '(file)', reason: 'is empty' }]);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(file)',
        reason: `YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const parsed = policySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => ({ path: formatPath(i.path), reason: i.message })));
  }
  const raw = parsed.data;
  const people: Record<string, Identities> = {};
  for (const [person, ids] of Object.entries(raw.people ?? {})) {
    people[person] = { slack: ids.slack ?? [], teams: ids.teams ?? [], console: ids.console ?? [] };
  }
  const grants: Grant[] = [];
  const problems: PolicyProblem[] = [];
  for (const role of ROLES) {
    (raw.roles[role] ?? []).forEach((g, index) => {
      (g.people ?? []).forEach((person, j) => {
        if (!people[person]) {
          problems.push({
            path: `roles.${role}[${index}].people[${j}]`,
            reason: `unknown person "${person}" (define it under people)`,
          });
        }
      });
      grants.push({
        role,
        people: g.people ?? [],
        slack: g.slack ?? [],
        slackGroups: g.slackGroups ?? [],
        teams: g.teams ?? [],
        console: g.console ?? [],
        scope: g.scope ? { sites: g.scope.sites ?? [], servers: g.scope.servers ?? [] } : null,
      });
    });
  }
  problems.push(...duplicateIdentities(people));
  const rules = {} as Record<Risk, RiskRule>;
  for (const risk of ['read', 'change', 'destructive'] as const) {
    rules[risk] = { ...DEFAULT_RULES[risk], ...stripUndefined(raw.rules?.[risk] ?? {}) };
    const r = rules[risk];
    if (!r.requesterMayApprove && r.breakGlass !== 'none' && r.approval !== 'none') {
      if (ROLES.indexOf(r.breakGlass) < ROLES.indexOf(r.approval)) {
        problems.push({
          path: `rules.${risk}.breakGlass`,
          reason: `must be at least the approval role (${r.approval})`,
        });
      }
    }
  }
  if (problems.length > 0) return fail(problems);
  return {
    ok: true,
    policy: {
      people,
      grants,
      rules,
      breakGlassMinReasonLength: raw.breakGlassMinReasonLength ?? DEFAULT_BREAK_GLASS_MIN_REASON,
    },
  };
}

/** A policy in which nobody holds a role: everyone is a viewer, nothing can be asked for. */
export function emptyPolicy(): Policy {
  return {
    people: {},
    grants: [],
    rules: DEFAULT_RULES,
    breakGlassMinReasonLength: DEFAULT_BREAK_GLASS_MIN_REASON,
  };
}

/** One identity in two people would make the two-person rule ambiguous. */
function duplicateIdentities(people: Record<string, Identities>): PolicyProblem[] {
  const owner = new Map<string, string>();
  const problems: PolicyProblem[] = [];
  for (const [person, ids] of Object.entries(people)) {
    for (const platform of ['slack', 'teams', 'console'] as const) {
      ids[platform].forEach((id, index) => {
        const key = `${platform}:${id.toLowerCase()}`;
        const first = owner.get(key);
        if (first && first !== person) {
          problems.push({
            path: `people.${person}.${platform}[${index}]`,
            reason: `${id} already belongs to ${first}`,
          });
        } else owner.set(key, person);
      });
    }
  }
  return problems;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
