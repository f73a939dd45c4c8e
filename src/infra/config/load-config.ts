import { z } from 'zod';
import { parseOutageSettings, type OutageSettings } from '../../domain/outages/settings';

/**
 * Every setting the processes read, from the environment only, so the server, the worker and every
 * CLI subcommand see the same Redis and prefix. Pure: pass `env` in tests.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const envSchema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  /** The address `serve` listens on: every interface by default (containers); 127.0.0.1 for
   * this machine only. */
  HOST: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(
        /^([A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$/,
        'must be an address or host name such as 0.0.0.0, 127.0.0.1 or ::',
      )
      .default('0.0.0.0'),
  ),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^rediss?(\+sentinel|\+cluster)?:\/\//,
        'must start with redis://, rediss://, redis+sentinel:// or redis+cluster:// (docs/operations.md)',
      )
      .default('redis://127.0.0.1:6379'),
  ),
  REDIS_PREFIX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, "_", "." or "-", at most 40')
      .default('exchops'),
  ),
  SCOM_WEBHOOK_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (use a long random value)').optional(),
  ),
  SCOM_TIME_ZONE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
      .default('UTC'),
  ),
  INCIDENT_RETENTION_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().positive().max(3650).default(30),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS).default('info')),
  JOB_SIGNING_KEY: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  ),
  /** Keys with ids, `k2:<secret>,k1:<secret>`: the first signs, all verify (rotation). */
  JOB_SIGNING_KEYS: z.preprocess(emptyToUndefined, z.string().optional()),
  INVENTORY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  WORKER_SITES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9-]{1,40}(,[a-z0-9-]{1,40})*$/, 'comma-separated site names (a-z, 0-9, -)')
      .optional(),
  ),
  WORKER_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(32).default(4),
  ),
  EXCHANGE_CONNECTION_URI: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/PowerShell\/?$/i,
        'must look like http://ex01.contoso.com/PowerShell/',
      )
      .optional(),
  ),
  POWERSHELL: z.preprocess(emptyToUndefined, z.enum(['powershell', 'pwsh']).default('powershell')),
  COMMAND_TIMEOUT_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(5).max(3600).default(120),
  ),
  /** An operator runbook directory on top of the shipped runbooks/ (docs/runbooks.md). */
  RUNBOOKS_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  APPROVAL_POLICY: z.preprocess(emptyToUndefined, z.string().optional()),
  /** Which channel gets which incident (docs/chat.md#routing-which-channel-gets-an-incident). */
  ALERT_ROUTES: z.preprocess(emptyToUndefined, z.string().optional()),
  /** A throw-away Redis without persistence is accepted (the demo's private Redis, tests). */
  REDIS_VOLATILE_OK: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false'], 'must be true or false').default('false'),
  ),
  /** Managed Redis with CONFIG disabled: the operator vouches that it persists its data. */
  REDIS_PERSISTENCE_ASSERTED: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false'], 'must be true or false').default('false'),
  ),
  /**
   * Before answering 202, wait until this many replicas have the alert's writes (Redis `WAIT`):
   * 0 for a Redis without replicas; 1 with Sentinel or Cluster, so a failover loses nothing.
   */
  REDIS_WAIT_REPLICAS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(10).default(0),
  ),
  /** How long the webhook waits for them before it answers 503 (SCOM sends again). */
  REDIS_WAIT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(60_000).default(1000),
  ),
  /** How often Redis is asked whether it restarted (its run_id) and still persists. */
  REDIS_WATCH_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(3600).default(15),
  ),
  /**
   * `all`: this process answers HTTP and does the background work (card delivery, remediation
   * runs, timers); `web`: HTTP only, for webhook replicas behind a load balancer.
   */
  BOT_ROLE: z.preprocess(
    emptyToUndefined,
    z.enum(['all', 'web'], 'must be all or web').default('all'),
  ),
  /** The local console at /console has no login: on only when asked for. */
  CONSOLE_ENABLED: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false'], 'must be true or false').default('false'),
  ),
  RUNBOOK_WAIT_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(3600).optional(),
  ),
  APPROVAL_TTL_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 60)
      .default(15),
  ),
  APPROVAL_POLICY_RELOAD_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(86_400).default(30),
  ),
  AUDIT_CHECKPOINT_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .min(0)
      .max(24 * 60)
      .default(5),
  ),
  /** Turns on the job dashboard at /admin/queues (basic auth, user `admin`). */
  /** The bot's address as people reach it: links to full step outputs use it. */
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^https?:\/\/[^\s/]+(\/[^\s]*)?$/,
        'must be an http(s) URL, e.g. https://chatops.contoso.com',
      )
      .optional(),
  ),
  ADMIN_PASSWORD: z.preprocess(
    emptyToUndefined,
    z.string().min(12, 'must be at least 12 characters (use a long random value)').optional(),
  ),
  /** Outage mode (docs/outages.md): `off` gives every incident its own card, as before. */
  OUTAGE_MODE: z.preprocess(
    emptyToUndefined,
    z.enum(['on', 'off'], 'must be on or off').default('on'),
  ),
  OUTAGE_WINDOW_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).optional()),
  OUTAGE_GROUP_WAIT_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).optional(),
  ),
  OUTAGE_MIN_SERVERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).optional()),
  OUTAGE_HOLD_AT_PEERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).optional()),
  OUTAGE_CHECKS_PER_SITE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).optional()),
  OUTAGE_CHANGES_PER_SITE: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).optional(),
  ),
  OUTAGE_CARD_UPDATE_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).optional(),
  ),
  OUTAGE_GROUP_BY: z.preprocess(emptyToUndefined, z.string().optional()),
  OUTAGE_SCOPE: z.preprocess(emptyToUndefined, z.string().optional()),
});

export type Config = {
  port: number;
  /** HOST: the address the bot listens on. */
  host: string;
  redisUrl: string;
  redisPrefix: string;
  scomWebhookToken: string | undefined;
  /** Time zone of SCOM's local-time strings (`TimeRaisedLocal`). */
  scomTimeZone: string;
  incidentRetentionMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /**
   * Shared by the bot (signs every job) and the worker (verifies jobs, signs results): the first
   * signs, every one is accepted. Empty when neither JOB_SIGNING_KEYS nor JOB_SIGNING_KEY is set.
   */
  jobSigningKeys: Array<{ id: string; secret: string }>;
  /** The active (first) key's secret; result links derive their own key from it. */
  jobSigningKey: string | undefined;
  /** YAML file of sites and servers; when set, actions may target only servers listed in it. */
  inventoryFile: string | undefined;
  /** Sites this worker takes jobs for; unset means every site in the inventory (or `default`). */
  workerSites: string[] | undefined;
  workerConcurrency: number;
  /** The remote Exchange Management Shell endpoint the worker's shells connect to. */
  exchangeConnectionUri: string | undefined;
  /** Windows PowerShell 5.1 (`powershell`, the default) or PowerShell 7 (`pwsh`). */
  powershell: 'powershell' | 'pwsh';
  commandTimeoutMs: number;
  /** Operator runbooks that add health sets or override shipped sections by id. */
  runbooksDir: string | undefined;
  /**
   * Demo and tests: every runbook wait and repeat interval lasts this many seconds instead of the
   * runbook's own (the run records both). Null: the runbooks' durations.
   */
  runbookWaitSeconds: number | null;
  /** Path of the alert routing rules (YAML); without it each platform's default channel. */
  alertRoutesPath: string | undefined;
  consoleEnabled: boolean;
  /**
   * False (BOT_ROLE=web): the process answers HTTP and queues work, but runs none of the
   * background (card delivery, remediation runs and results, timers); another replica does.
   */
  background: boolean;
  /** REDIS_VOLATILE_OK and REDIS_PERSISTENCE_ASSERTED (src/infra/redis/durability.ts). */
  redisDurability: { volatileOk: boolean; persistenceAsserted: boolean };
  redisWatchMs: number;
  /** REDIS_WAIT_REPLICAS and REDIS_WAIT_MS: the webhook's replication barrier (0: none). */
  redisWait: { replicas: number; timeoutMs: number };
  /** Base URL for links people open (full step outputs); none: no links. */
  publicUrl: string | undefined;
  /** Path of the approval policy (YAML); without one nobody holds a role. */
  approvalPolicyPath: string | undefined;
  approvalTtlMs: number;
  /** How often the policy file is re-read (0: only on SIGHUP). */
  approvalPolicyReloadMs: number;
  /** How often the audit chain's head is written to the log (0: never). */
  auditCheckpointMs: number;
  /** Password of the `admin` user of the job dashboard (/admin/queues); unset: no dashboard. */
  adminPassword: string | undefined;
  /** Outage mode's settings (OUTAGE_*); null when OUTAGE_MODE=off. */
  outages: OutageSettings | null;
};

export type ConfigKey = keyof z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example and the configuration table in README.md.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the configuration. `required` names settings that are optional in general but
 * needed by the calling command (the server needs the webhook token; `runbooks list` does not).
 * Throws one ConfigError that lists every problem at once.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  required: readonly ConfigKey[] = [],
): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      problems.push(`${key}: ${issue.message} (got ${describeValue(key, env[key])})`);
    }
  }
  const signing = parseSigningKeys(env.JOB_SIGNING_KEYS, problems);
  if (
    emptyToUndefined(env.JOB_SIGNING_KEYS) !== undefined &&
    emptyToUndefined(env.JOB_SIGNING_KEY) !== undefined
  ) {
    problems.push(
      'JOB_SIGNING_KEYS: set it or JOB_SIGNING_KEY, not both (list the old key in JOB_SIGNING_KEYS as default:<key>)',
    );
  }
  for (const key of required) {
    if (key === 'JOB_SIGNING_KEY' && emptyToUndefined(env.JOB_SIGNING_KEYS) !== undefined) continue;
    if (emptyToUndefined(env[key]) === undefined) {
      problems.push(
        key === 'JOB_SIGNING_KEY'
          ? 'JOB_SIGNING_KEY: is required (or JOB_SIGNING_KEYS, keys with ids for rotation)'
          : `${key}: is required`,
      );
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const jobSigningKeys =
    signing ?? (e.JOB_SIGNING_KEY ? [{ id: 'default', secret: e.JOB_SIGNING_KEY }] : []);
  const outages = outageSettingsFrom(e);
  if (!outages.ok) throw new ConfigError(outages.errors);
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    scomWebhookToken: e.SCOM_WEBHOOK_TOKEN,
    scomTimeZone: e.SCOM_TIME_ZONE,
    incidentRetentionMs: Math.round(e.INCIDENT_RETENTION_DAYS * 24 * 3600 * 1000),
    logLevel: e.LOG_LEVEL,
    jobSigningKeys,
    jobSigningKey: jobSigningKeys[0]?.secret,
    inventoryFile: e.INVENTORY_FILE,
    workerSites: e.WORKER_SITES?.split(','),
    workerConcurrency: e.WORKER_CONCURRENCY,
    exchangeConnectionUri: e.EXCHANGE_CONNECTION_URI,
    powershell: e.POWERSHELL,
    commandTimeoutMs: e.COMMAND_TIMEOUT_SECONDS * 1000,
    runbooksDir: e.RUNBOOKS_DIR,
    runbookWaitSeconds: e.RUNBOOK_WAIT_SECONDS ?? null,
    alertRoutesPath: e.ALERT_ROUTES,
    consoleEnabled: e.CONSOLE_ENABLED === 'true',
    background: e.BOT_ROLE === 'all',
    redisDurability: {
      volatileOk: e.REDIS_VOLATILE_OK === 'true',
      persistenceAsserted: e.REDIS_PERSISTENCE_ASSERTED === 'true',
    },
    redisWatchMs: e.REDIS_WATCH_SECONDS * 1000,
    redisWait: { replicas: e.REDIS_WAIT_REPLICAS, timeoutMs: e.REDIS_WAIT_MS },
    approvalPolicyPath: e.APPROVAL_POLICY,
    approvalTtlMs: Math.round(e.APPROVAL_TTL_MINUTES * 60_000),
    approvalPolicyReloadMs: e.APPROVAL_POLICY_RELOAD_SECONDS * 1000,
    auditCheckpointMs: Math.round(e.AUDIT_CHECKPOINT_MINUTES * 60_000),
    adminPassword: e.ADMIN_PASSWORD,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    outages: outages.settings,
  };
}

/** OUTAGE_* over the defaults of docs/outages.md, checked by the outage domain's own rules. */
function outageSettingsFrom(
  e: z.infer<typeof envSchema>,
): { ok: true; settings: OutageSettings | null } | { ok: false; errors: string[] } {
  if (e.OUTAGE_MODE === 'off') return { ok: true, settings: null };
  const names: Record<string, string> = {
    windowSeconds: 'OUTAGE_WINDOW_SECONDS',
    groupWaitSeconds: 'OUTAGE_GROUP_WAIT_SECONDS',
    minServers: 'OUTAGE_MIN_SERVERS',
    holdAtPeers: 'OUTAGE_HOLD_AT_PEERS',
    groupBy: 'OUTAGE_GROUP_BY',
    scope: 'OUTAGE_SCOPE',
    checksPerSite: 'OUTAGE_CHECKS_PER_SITE',
    changesPerSite: 'OUTAGE_CHANGES_PER_SITE',
    cardUpdateSeconds: 'OUTAGE_CARD_UPDATE_SECONDS',
  };
  const input = Object.fromEntries(
    Object.entries({
      windowSeconds: e.OUTAGE_WINDOW_SECONDS,
      groupWaitSeconds: e.OUTAGE_GROUP_WAIT_SECONDS,
      minServers: e.OUTAGE_MIN_SERVERS,
      holdAtPeers: e.OUTAGE_HOLD_AT_PEERS,
      groupBy: e.OUTAGE_GROUP_BY?.split(',').map((g) => g.trim()),
      scope: e.OUTAGE_SCOPE,
      checksPerSite: e.OUTAGE_CHECKS_PER_SITE,
      changesPerSite: e.OUTAGE_CHANGES_PER_SITE,
      cardUpdateSeconds: e.OUTAGE_CARD_UPDATE_SECONDS,
    }).filter(([, v]) => v !== undefined),
  );
  const parsed = parseOutageSettings(input);
  if (parsed.ok) return parsed;
  // The domain names its own keys: say which variable to fix.
  return {
    ok: false,
    errors: parsed.errors.map((err) => {
      const key = Object.keys(names).find((k) => err.startsWith(`${k}`));
      return key ? err.replace(key, names[key]!) : err;
    }),
  };
}

/** Settings that may carry a secret (a Redis URL can hold a password) are never echoed back. */
const SECRET_KEYS = new Set([
  'SCOM_WEBHOOK_TOKEN',
  'REDIS_URL',
  'JOB_SIGNING_KEY',
  'JOB_SIGNING_KEYS',
  'ADMIN_PASSWORD',
]);

function describeValue(key: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRET_KEYS.has(key)) return `a value of ${value.length} characters`;
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * `id:secret` pairs, comma-separated. Every problem is added (a secret never appears in one: only
 * the key's id or position and its length).
 */
function parseSigningKeys(
  raw: string | undefined,
  problems: string[],
): Array<{ id: string; secret: string }> | null {
  if (emptyToUndefined(raw) === undefined) return null;
  const keys: Array<{ id: string; secret: string }> = [];
  const seen = new Set<string>();
  (raw as string).split(',').forEach((entry, i) => {
    const at = entry.indexOf(':');
    const id = at < 0 ? '' : entry.slice(0, at).trim();
    const secret = at < 0 ? '' : entry.slice(at + 1).trim();
    const where = `JOB_SIGNING_KEYS: key ${i + 1}`;
    if (at < 0) {
      problems.push(`${where}: must be <id>:<secret> (e.g. k2:$(openssl rand -hex 32))`);
      return;
    }
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(id)) {
      problems.push(`${where}: its id must be 1-40 letters, digits, "_", "." or "-"`);
      return;
    }
    if (seen.has(id)) problems.push(`${where}: the id "${id}" is listed twice`);
    seen.add(id);
    if (secret.length < 32) {
      problems.push(
        `${where} ("${id}"): must be at least 32 characters (e.g. openssl rand -hex 32) (got a value of ${secret.length} characters)`,
      );
    }
    keys.push({ id, secret });
  });
  return keys;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
