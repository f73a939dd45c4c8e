import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  Alert,
  AlertState,
  FieldError,
  NormalizeResult,
  Priority,
  ServerRef,
  Severity,
} from './alert';
import { checkCustomFields } from './custom-fields';
import { toServerRef } from './host-name';
import { findRelatedMailboxServer, parseEscalationSubject } from './parse-escalation-subject';
import { parseScomTime } from './parse-scom-time';
import { stableStringify } from '../shared/stable-json';

export interface NormalizeOptions {
  /** Zone for SCOM's local-time strings (`TimeRaisedLocal`, `LastModifiedLocal`). */
  timeZone: string;
}

/**
 * The fields we read, each with the names SCOM uses for it: `Get-SCOMAlert | ConvertTo-Json`
 * (PascalCase) and a command channel's `$Data/Context/DataItem/...$` names (camelCase). Matching is
 * case-insensitive; the first name present wins.
 */
const FIELDS = {
  id: ['id', 'alertid'],
  name: ['name', 'alertname'],
  description: ['description', 'alertdescription'],
  severity: ['severity'],
  priority: ['priority'],
  resolutionState: ['resolutionstate'],
  principalName: ['principalname'],
  netbiosComputerName: ['netbioscomputername'],
  monitoringObjectPath: ['monitoringobjectpath', 'managedentitypath'],
  monitoringObjectDisplayName: ['monitoringobjectdisplayname', 'managedentitydisplayname'],
  monitoringObjectFullName: ['monitoringobjectfullname', 'managedentityfullname'],
  timeRaised: ['timeraised', 'timeraisedutc'],
  timeRaisedLocal: ['timeraisedlocal'],
  lastModified: ['lastmodified', 'lastmodifiedutc'],
  lastModifiedLocal: ['lastmodifiedlocal'],
  timeResolved: ['timeresolved'],
  repeatCount: ['repeatcount'],
} as const;

type FieldName = keyof typeof FIELDS;

export const LIMITS = {
  id: 128,
  name: 1024,
  description: 65536,
  text: 1024,
};

// C0 controls other than tab, LF and CR, DEL, and the C1 range: never legitimate in an alert,
// and a way to smuggle terminal escapes into logs and chat.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `is longer than ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'contains control characters');

const optionalText = (max: number) => text(max).nullable().optional();

const SEVERITY_NAMES: Record<string, Severity> = {
  '0': 'information',
  information: 'information',
  info: 'information',
  '1': 'warning',
  warning: 'warning',
  '2': 'error',
  error: 'error',
  critical: 'error',
};

const PRIORITY_NAMES: Record<string, Priority> = {
  '0': 'low',
  low: 'low',
  '1': 'normal',
  normal: 'normal',
  medium: 'normal',
  '2': 'high',
  high: 'high',
};

const RESOLUTION_NAMES: Record<string, number> = {
  new: 0,
  acknowledged: 249,
  resolved: 254,
  closed: 255,
};

const lookup = <T>(table: Record<string, T>, what: string) =>
  z
    .union([z.number(), z.string()], { error: `must be a ${what} name or number` })
    .transform((v, ctx) => {
      const found = table[String(v).trim().toLowerCase()];
      if (found === undefined) {
        ctx.addIssue({ code: 'custom', message: `is not a known ${what}: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return found;
    });

const resolutionState = z
  .union([z.number(), text(64)], { error: 'must be a resolution state name or number (0-255)' })
  .transform((v, ctx): { state: AlertState; code: number | null } => {
    const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : null;
    if (n !== null) {
      if (!Number.isInteger(n) || n < 0 || n > 255) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number from 0 to 255' });
        return z.NEVER;
      }
      return { state: stateFromCode(n), code: n };
    }
    const code = RESOLUTION_NAMES[String(v).trim().toLowerCase()];
    // Custom resolution states have names of their own: keep them as `other`.
    return code === undefined
      ? { state: 'other', code: null }
      : { state: stateFromCode(code), code };
  });

const time = z.union([z.string(), z.number(), z.null()]).optional();

const schema = z.object({
  id: z
    .union([z.string(), z.number()], { error: 'is required (the SCOM AlertId)' })
    .transform((v) =>
      String(v)
        .trim()
        .replace(/^\{(.*)\}$/, '$1')
        .trim()
        .toLowerCase(),
    )
    .pipe(
      text(LIMITS.id)
        .min(1, 'is required (the SCOM AlertId)')
        .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, "-", "_" and "."'),
    ),
  name: optionalText(LIMITS.name),
  description: optionalText(LIMITS.description),
  severity: lookup(SEVERITY_NAMES, 'severity').nullable().optional(),
  priority: lookup(PRIORITY_NAMES, 'priority').nullable().optional(),
  resolutionState: resolutionState.nullable().optional(),
  principalName: optionalText(LIMITS.text),
  netbiosComputerName: optionalText(LIMITS.text),
  monitoringObjectPath: optionalText(LIMITS.text),
  monitoringObjectDisplayName: optionalText(LIMITS.text),
  monitoringObjectFullName: optionalText(LIMITS.text),
  timeRaised: time,
  timeRaisedLocal: time,
  lastModified: time,
  lastModifiedLocal: time,
  timeResolved: time,
  repeatCount: z
    .union([
      z.null(),
      z.coerce.number().int('must be a whole number').min(0, 'must not be negative'),
    ])
    .optional(),
});

export function normalizeAlert(input: unknown, options: NormalizeOptions): NormalizeResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      alertId: null,
      errors: [{ field: '(alert)', reason: 'must be a JSON object' }],
    };
  }
  const raw = input as Record<string, unknown>;
  const { picked, sourceName } = pickFields(raw);
  // Before the schema: it must never see a value nested deep enough to overflow a walk of it.
  const picks = new Set<string>(Object.values(sourceName));
  const bounds = checkCustomFields(raw, new Set(Object.keys(raw).filter((k) => !picks.has(k))));
  if (bounds.length > 0) return { ok: false, alertId: guessId(picked.id), errors: bounds };
  const parsed = schema.safeParse(picked);
  const errors: FieldError[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as FieldName | undefined;
      errors.push({ field: key ? (sourceName[key] ?? key) : '(alert)', reason: issue.message });
    }
  }
  const alertId = parsed.success ? parsed.data.id : guessId(picked.id);
  if (!parsed.success) return { ok: false, alertId, errors: dedupe(errors) };

  const f = parsed.data;
  const name = f.name ?? '';
  const description = f.description ?? '';
  if (name.trim() === '' && description.trim() === '') {
    return {
      ok: false,
      alertId,
      errors: [{ field: 'Name', reason: 'the alert has neither a Name nor a Description' }],
    };
  }

  const times: Array<[FieldName, string | null]> = [];
  const readTime = (field: FieldName, zone: string): string | null => {
    const value = picked[field];
    if (value === undefined || value === null || value === '') return null;
    const iso = parseScomTime(value, zone);
    times.push([field, iso]);
    return iso;
  };
  const raisedAt = readTime('timeRaised', 'UTC') ?? readTime('timeRaisedLocal', options.timeZone);
  const modifiedAt =
    readTime('lastModified', 'UTC') ?? readTime('lastModifiedLocal', options.timeZone);
  const resolvedAt = readTime('timeResolved', 'UTC');
  for (const [field, iso] of times) {
    if (iso === null) {
      errors.push({
        field: sourceName[field] ?? field,
        reason: 'is not a time (ISO 8601, /Date(ms)/ or M/d/yyyy h:mm:ss AM)',
      });
    }
  }
  if (errors.length > 0) return { ok: false, alertId, errors };

  const subject = parseEscalationSubject(name) ?? parseEscalationSubject(description);
  const server = findServer(f);
  const related = findRelatedMailboxServer(`${name}\n${description}`);
  const relatedServer: ServerRef | null = related === null ? null : toServerRef(related);
  const resolution = f.resolutionState ?? { state: 'new' as const, code: 0 };

  const alert: Alert = {
    id: f.id,
    name,
    description,
    healthSet: subject?.healthSet ?? null,
    monitor: subject?.monitor ?? null,
    targetResource: subject?.targetResource ?? null,
    failureText: subject?.failureText ?? null,
    server,
    relatedServer,
    severity: f.severity ?? 'error',
    priority: f.priority ?? 'normal',
    state: resolution.state,
    resolutionState: resolution.code,
    raisedAt,
    modifiedAt,
    resolvedAt,
    repeatCount: f.repeatCount ?? 0,
    monitoringObjectPath: f.monitoringObjectPath ?? null,
    monitoringObjectDisplayName: f.monitoringObjectDisplayName ?? null,
    actionable: server !== null && server.valid,
    fingerprint: fingerprint(raw),
    raw,
  };
  return { ok: true, alert };
}

function stateFromCode(code: number): AlertState {
  switch (code) {
    case 0:
      return 'new';
    case 249:
      return 'acknowledged';
    case 254:
      return 'resolved';
    case 255:
      return 'closed';
    default:
      return 'other';
  }
}

/** Case-insensitive pick of our fields; remembers the sender's spelling for error messages. */
function pickFields(raw: Record<string, unknown>): {
  picked: Partial<Record<FieldName, unknown>>;
  sourceName: Partial<Record<FieldName, string>>;
} {
  const byLower = new Map<string, [string, unknown]>();
  for (const [key, value] of Object.entries(raw)) {
    const lower = key.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, [key, value]);
  }
  const picked: Partial<Record<FieldName, unknown>> = {};
  const sourceName: Partial<Record<FieldName, string>> = {};
  for (const field of Object.keys(FIELDS) as FieldName[]) {
    for (const alias of FIELDS[field]) {
      const hit = byLower.get(alias);
      if (hit && hit[1] !== undefined) {
        picked[field] = hit[1];
        sourceName[field] = hit[0];
        break;
      }
    }
  }
  return { picked, sourceName };
}

/**
 * The machine the alert is about. The first field that names one wins; an invalid name there is
 * kept (and marked) rather than replaced by a guess from another field.
 */
function findServer(f: z.infer<typeof schema>): ServerRef | null {
  const candidates = [
    f.principalName,
    f.netbiosComputerName,
    lastSegment(f.monitoringObjectPath),
    pathFromFullName(f.monitoringObjectFullName),
  ];
  for (const c of candidates) {
    if (c !== null && c !== undefined && c.trim() !== '') return toServerRef(c);
  }
  return null;
}

/** MonitoringObjectPath of a hosted object reads `Parent;Host` or just the host's FQDN. */
function lastSegment(path: string | null | undefined): string | null {
  if (!path) return null;
  const parts = path.split(';');
  return parts[parts.length - 1] ?? null;
}

/** MonitoringObjectFullName reads `Type:Path;Name`. */
function pathFromFullName(fullName: string | null | undefined): string | null {
  if (!fullName) return null;
  const m = /^[^:]+:([^;]+)/.exec(fullName);
  return m?.[1] ?? null;
}

function guessId(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = String(value)
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .toLowerCase();
  return /^[a-z0-9_.-]{1,128}$/.test(s) ? s : null;
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Sorted keys, so key order in the JSON does not make a payload new. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}
