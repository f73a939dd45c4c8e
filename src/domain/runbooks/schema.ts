import { z } from 'zod';

/**
 * The runbook file format (YAML or JSON), checked when the catalogue loads. Everything is
 * `.strict()`: a misspelt key is an error, not a silently ignored line of a runbook. See
 * docs/runbooks.md for the format in prose.
 */

export const STEP_KINDS = ['check', 'change', 'destructive', 'wait', 'manual', 'goto'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Exchange 2013 roles as the runbooks speak of them. A 2016/2019 server has both. */
export const SERVER_ROLES = ['client-access', 'mailbox'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** Where a bound parameter takes its value from (see bindings.ts). */
export const BINDING_SOURCES = [
  'server',
  'relatedServer',
  'healthSet',
  'probe',
  'probeHealthSet',
  /** The seal of the latest failover pre-check of the run (optional: left out when none ran). */
  'failoverPrecheck',
] as const;
export type BindingSource = (typeof BINDING_SOURCES)[number];

export const OUTCOMES = ['succeeded', 'failed', 'done'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How a check's result counts as success; without one a check only informs. */
export const EXPECTATIONS = [
  'probe-succeeded',
  'healthy',
  'no-active-database-copy',
  // get-dag-safety's verdicts (src/domain/safety): beyond the seed.
  'failover-safe',
  'restart-safe',
  'no-hold',
] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const idSchema = z
  .string({ error: 'must be an id' })
  .regex(
    /^[a-z0-9][a-z0-9.-]{0,79}$/,
    'must be lower-case letters, digits, "." or "-" (at most 80), e.g. pop-ctp.3.1',
  );

const exchangeName = z
  .string({ error: 'must be a name' })
  .regex(/^[A-Za-z][A-Za-z0-9_.]{0,127}$/, 'must be an Exchange name such as POP or PopCTPProbe');

export const localizedTextSchema = z
  .object({ en: nonEmpty, 'zh-TW': nonEmpty.optional() }, { error: 'must be { en, zh-TW? }' })
  .strict();

export const linkSchema = z
  .object({
    title: localizedTextSchema,
    url: z.string().regex(/^https:\/\/\S+$/, 'must be an https:// URL'),
  })
  .strict();

/** A parameter value: a literal, a value from the incident, or a choice by the server's role. */
export const bindingSchema = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.object({ from: z.enum(BINDING_SOURCES) }).strict(),
    z
      .object({
        byRole: z.object({ 'client-access': z.string(), mailbox: z.string() }).strict(),
      })
      .strict(),
  ],
  {
    error:
      `must be a literal (text, number, true/false), { from: ${BINDING_SOURCES.join(' | ')} } ` +
      'or { byRole: { client-access: <value>, mailbox: <value> } }',
  },
);
export type Binding = z.infer<typeof bindingSchema>;

export const conditionSchema = z.union(
  [
    z
      .object({
        step: idSchema,
        outcome: z.enum(OUTCOMES, { error: `must be one of ${OUTCOMES.join(', ')}` }),
      })
      .strict(),
    z.object({ role: z.enum(SERVER_ROLES) }).strict(),
  ],
  {
    error: `must be { step: <step id>, outcome: ${OUTCOMES.join(' | ')} } or { role: ${SERVER_ROLES.join(' | ')} }`,
  },
);
export type Condition = z.infer<typeof conditionSchema>;

export const repeatSchema = z
  .object({
    until: z.literal('succeeded'),
    maxAttempts: z.number().int().min(1).max(120),
    intervalSeconds: z.number().int().min(5).max(3600),
  })
  .strict();

export const gotoSchema = z.union(
  [
    z
      .object({
        section: idSchema,
        /** Which server the followed section runs against (default: the same server). */
        server: z.enum(['server', 'relatedServer']).optional(),
        /** The monitor whose probe the followed section re-runs. */
        monitor: exchangeName.optional(),
      })
      .strict(),
    z.object({ monitorRecovery: z.literal(true) }).strict(),
  ],
  { error: 'must be { section: <id>, server?, monitor? } or { monitorRecovery: true }' },
);
export type GotoTarget = z.infer<typeof gotoSchema>;

export interface StepInput {
  id: string;
  kind: StepKind;
  text: z.infer<typeof localizedTextSchema>;
  action?: string | undefined;
  params?: Record<string, Binding> | undefined;
  expect?: Expectation | undefined;
  healthSetFilter?: string | undefined;
  when?: Condition | Condition[] | undefined;
  repeat?: z.infer<typeof repeatSchema> | undefined;
  wait?: { minutes: number } | undefined;
  goto?: GotoTarget | undefined;
  notes?: z.infer<typeof localizedTextSchema>[] | undefined;
  links?: z.infer<typeof linkSchema>[] | undefined;
  steps?: StepInput[] | undefined;
  beyondSeed?: true | undefined;
}

export const stepSchema: z.ZodType<StepInput> = z.lazy(() =>
  z
    .object({
      id: idSchema,
      kind: z.enum(STEP_KINDS, { error: `must be one of ${STEP_KINDS.join(', ')}` }),
      text: localizedTextSchema,
      action: z.string().optional(),
      params: z.record(z.string(), bindingSchema).optional(),
      expect: z
        .enum(EXPECTATIONS, { error: `must be one of ${EXPECTATIONS.join(', ')}` })
        .optional(),
      healthSetFilter: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9.]*\*?$/, 'must be a health set name, optionally ending in *')
        .optional(),
      when: z.union([conditionSchema, z.array(conditionSchema).min(1)]).optional(),
      repeat: repeatSchema.optional(),
      wait: z
        .object({ minutes: z.number().positive().max(240) })
        .strict()
        .optional(),
      goto: gotoSchema.optional(),
      notes: z.array(localizedTextSchema).optional(),
      links: z.array(linkSchema).optional(),
      steps: z.array(stepSchema).min(1).optional(),
      /** Not in the source: added by this product (see docs/runbooks.md). */
      beyondSeed: z.literal(true).optional(),
    })
    .strict(),
);

export const sectionSchema = z
  .object({
    id: idSchema,
    kind: z.enum(['verify', 'recovery']),
    title: localizedTextSchema,
    /** Where the alert is typically raised, as the source says it. */
    summary: localizedTextSchema.optional(),
    notes: z.array(localizedTextSchema).optional(),
    links: z.array(linkSchema).optional(),
    steps: z.array(stepSchema).min(1, 'a section needs at least one step'),
  })
  .strict();
export type SectionInput = z.infer<typeof sectionSchema>;

/** Where a dependency's entry comes from: the seed's table, or not (our addition). */
export const DEPENDENCY_ORIGINS = ['seed', 'derived'] as const;
export type DependencyOrigin = (typeof DEPENDENCY_ORIGINS)[number];

/**
 * Something a probe depends on (the seed's "相依性" column: Active Directory, authentication...).
 * Probes name it by id, so incidents of different probes can be found to share it (outage
 * correlation, src/domain/outages).
 */
export const dependencySchema = z
  .object({
    id: idSchema,
    name: localizedTextSchema,
    origin: z.enum(DEPENDENCY_ORIGINS, {
      error: `must be one of ${DEPENDENCY_ORIGINS.join(', ')}`,
    }),
    /**
     * Managed Availability health sets that watch the dependency itself: the outage card offers
     * `Get-HealthReport -HealthSet <set>` for them first. Optional; never from the seed.
     */
    checkHealthSets: z.array(exchangeName).default([]),
  })
  .strict();
export type DependencyInput = z.input<typeof dependencySchema>;

/**
 * A probe's dependency: the id of a `dependencies` entry in any runbook file, or (the older form)
 * its name, matched to a defined entry by English name or else kept as a dependency of its own.
 */
export const probeDependencySchema = z.union(
  [
    z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{0,79}$/,
        'must be a dependency id such as active-directory (lower-case letters, digits, "." or "-")',
      ),
    localizedTextSchema,
  ],
  {
    error: 'must be a dependency id (e.g. active-directory) or { en, zh-TW? }',
  },
);

export const runbookFileSchema = z
  .object({
    id: idSchema,
    title: localizedTextSchema,
    source: z
      .object({
        kind: z.enum(['seed', 'derived', 'operator']),
        description: localizedTextSchema,
        links: z.array(linkSchema).default([]),
      })
      .strict(),
    healthSets: z
      .array(
        z
          .object({
            name: exchangeName,
            description: localizedTextSchema.optional(),
            verifySection: idSchema,
          })
          .strict(),
      )
      .default([]),
    probes: z
      .array(
        z
          .object({
            name: exchangeName,
            healthSet: exchangeName,
            dependencies: z.array(probeDependencySchema).default([]),
          })
          .strict(),
      )
      .default([]),
    dependencies: z.array(dependencySchema).default([]),
    monitors: z
      .array(
        z
          .object({
            name: exchangeName,
            healthSet: exchangeName,
            /** Optional: some monitors watch a performance counter, not a probe. */
            probe: exchangeName.optional(),
            aliases: z.array(exchangeName).default([]),
            section: idSchema,
          })
          .strict(),
      )
      .default([]),
    sections: z.array(sectionSchema).default([]),
  })
  .strict();
export type RunbookFileInput = z.input<typeof runbookFileSchema>;
export type RunbookFile = z.output<typeof runbookFileSchema>;
