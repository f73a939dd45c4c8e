import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Risk } from '../actions/registry';
import type { PlatformId } from '../identity/actor';
import { groupsKey, type PlatformRules } from '../identity/platform-rules';
import { ROLES, type Role } from './roles';

/**
 * The approval policy file (APPROVAL_POLICY, YAML): who holds which role, optionally only for some
 * sites or servers, and what each risk needs. Parsing is pure; reading the file is the caller's.
 * See docs/approvals.md for the format.
 */

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** A single value or a list, so `slack: U012AB3CD` and `slack: [U012AB3CD]` both read naturally. */
const listOf = (item: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(item));

const name = z.string().regex(NAME, 'must be a name of letters, digits, ".", "_" or "-"');

type Lists = Record<string, string[] | undefined>;

/** `people.<name>`: the accounts of one person, one key per platform. */
function identitySchema(platforms: readonly PlatformRules[]): z.ZodType<Lists> {
  return z
    .object(Object.fromEntries(platforms.map((p) => [p.id, listOf(p.account).optional()])))
    .strict() as unknown as z.ZodType<Lists>;
}

/** The members keys of a grant, in the order error messages list them. */
function memberKeys(platforms: readonly PlatformRules[]): string[] {
  return ['people', ...platforms.flatMap((p) => (p.group ? [p.id, groupsKey(p.id)] : [p.id]))];
}

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

function grantSchema(platforms: readonly PlatformRules[]) {
  const keys = memberKeys(platforms);
  const members = keys.slice(0, -1).join(', ') + ' or ' + keys[keys.length - 1];
  return z
    .object({
      people: listOf(name).optional(),
      ...Object.fromEntries(
        platforms.flatMap((p) => [
          [p.id, listOf(p.account).optional()],
          ...(p.group ? [[groupsKey(p.id), listOf(p.group).optional()]] : []),
        ]),
      ),
      scope: scopeSchema.optional(),
    })
    .strict()
    .refine(
      (g) => keys.some((k) => ((g as Lists)[k] ?? []).length > 0),
      `a grant must name at least one member (${members})`,
    ) as unknown as z.ZodType<Lists & { scope?: { sites?: string[]; servers?: string[] } }>;
}

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

function policySchema(platforms: readonly PlatformRules[]) {
  const grants = z.array(grantSchema(platforms)).optional();
  return z
    .object({
      version: z.literal(1, { error: 'must be 1' }),
      people: z.record(name, identitySchema(platforms)).optional(),
      roles: z
        .object({ viewer: grants, operator: grants, approver: grants, admin: grants })
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
}

/** One person's accounts, per platform (`people.<name>.<platform>`). */
export type Identities = Record<PlatformId, string[]>;

export interface Grant {
  role: Role;
  people: string[];
  /** Accounts per platform, as the platform normalised them. */
  accounts: Record<PlatformId, string[]>;
  /** Groups per platform (`slackGroups` is `groups.slack`). */
  groups: Record<PlatformId, string[]>;
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

/**
 * Parses and checks a policy file's text. Every problem is reported at once, with its path.
 * `platforms` (the registry's rules) says which accounts and groups each platform may list.
 */
export function parsePolicy(
  text: string,
  platforms: readonly PlatformRules[],
  source = 'policy',
): ParsePolicyResult {
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
  const parsed = policySchema(platforms).safeParse(doc.toJS());
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => ({ path: formatPath(i.path), reason: i.message })));
  }
  const raw = parsed.data;
  const people: Record<string, Identities> = {};
  for (const [person, ids] of Object.entries(raw.people ?? {})) {
    people[person] = Object.fromEntries(platforms.map((p) => [p.id, ids[p.id] ?? []]));
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
        accounts: Object.fromEntries(platforms.map((p) => [p.id, g[p.id] ?? []])),
        groups: Object.fromEntries(
          platforms.filter((p) => p.group).map((p) => [p.id, g[groupsKey(p.id)] ?? []]),
        ),
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
    for (const [platform, accounts] of Object.entries(ids)) {
      accounts.forEach((id, index) => {
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
