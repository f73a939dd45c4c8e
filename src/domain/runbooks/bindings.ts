import type { ServerRef } from '../alerts/alert';
import type { FailoverSeal } from '../actions/params';
import type { Binding, BindingSource, ServerRole } from './schema';
import { SERVER_ROLES } from './schema';

/** The incident's values a step's parameters bind to. */
export interface BindingContext {
  /** The server the section runs against: the alert's, or the one a `goto` handed over. */
  server: ServerRef | null;
  /** The mailbox server behind a failing front end (`_Mbx:` in a CTP probe error). */
  relatedServer: ServerRef | null;
  healthSet: string | null;
  /** The probe of the matched monitor, with the health set it belongs to. */
  probe: { name: string; healthSet: string } | null;
  /** Roles of `server` from an inventory; null when unknown. */
  roles: readonly ServerRole[] | null;
  /** The seal of the run's latest failover pre-check, if one ran. */
  failoverPrecheck?: FailoverSeal | null;
}

export interface MissingValue {
  param: string;
  source: BindingSource;
  reason: string;
}

/** One way to run a step. Several when a role-dependent value cannot be decided. */
export interface BoundVariant {
  /** The role this variant is for; null when the step does not depend on a role. */
  role: ServerRole | null;
  params: Record<string, unknown>;
  /** Values that are missing or unusable: such a variant must never run. */
  missing: MissingValue[];
}

/** Placeholders shown in place of a value the incident does not have. */
export const PLACEHOLDERS: Record<BindingSource, string> = {
  server: '<server>',
  relatedServer: '<mailbox server>',
  healthSet: '<health set>',
  probe: '<probe>',
  probeHealthSet: '<health set>',
  failoverPrecheck: '<pre-check>',
};

function isFrom(b: Binding): b is { from: BindingSource } {
  return typeof b === 'object' && 'from' in b;
}

function isByRole(b: Binding): b is { byRole: Record<ServerRole, string> } {
  return typeof b === 'object' && 'byRole' in b;
}

export function dependsOnRole(params: Record<string, Binding>): boolean {
  return Object.values(params).some(isByRole);
}

/**
 * How a role-dependent value is decided: by the server's roles when exactly one of the two is
 * known; otherwise (unknown, or a multi-role 2016/2019 server) a person chooses between both.
 */
export function rolesToOffer(roles: readonly ServerRole[] | null): ServerRole[] {
  if (roles !== null) {
    const known = SERVER_ROLES.filter((r) => roles.includes(r));
    if (known.length === 1) return known;
  }
  return [...SERVER_ROLES];
}

/** Does a `{ role }` condition hold? `unknown` when the inventory does not say. */
export function roleHolds(role: ServerRole, roles: readonly ServerRole[] | null): boolean | null {
  return roles === null ? null : roles.includes(role);
}

function sourceValue(
  source: BindingSource,
  ctx: BindingContext,
): { value: unknown } | { reason: string } {
  const server = (ref: ServerRef | null, what: string) => {
    if (ref === null) return { reason: `no ${what} is known` };
    if (!ref.valid)
      return { reason: `${what} "${ref.name}" is not usable: ${ref.reason ?? 'invalid'}` };
    return { value: ref.name };
  };
  switch (source) {
    case 'server':
      return server(ctx.server, 'server');
    case 'relatedServer':
      return server(ctx.relatedServer, 'mailbox server (_Mbx:)');
    case 'healthSet':
      return ctx.healthSet ? { value: ctx.healthSet } : { reason: 'no health set is known' };
    case 'probe':
      return ctx.probe ? { value: ctx.probe.name } : { reason: 'no probe is known' };
    case 'probeHealthSet':
      return ctx.probe ? { value: ctx.probe.healthSet } : { reason: 'no probe is known' };
    case 'failoverPrecheck':
      return { value: ctx.failoverPrecheck ?? undefined };
  }
}

/** Binds a step's parameters to the incident. Pure; validation happens in buildCommand. */
export function bindParams(params: Record<string, Binding>, ctx: BindingContext): BoundVariant[] {
  const roles: (ServerRole | null)[] = dependsOnRole(params) ? rolesToOffer(ctx.roles) : [null];
  return roles.map((role) => {
    const out: Record<string, unknown> = {};
    const missing: MissingValue[] = [];
    for (const [param, binding] of Object.entries(params)) {
      if (isFrom(binding)) {
        const v = sourceValue(binding.from, ctx);
        // An optional source without a value leaves the parameter out.
        if ('value' in v) {
          if (v.value !== undefined) out[param] = v.value;
        } else missing.push({ param, source: binding.from, reason: v.reason });
      } else if (isByRole(binding)) {
        // `role` is non-null here: dependsOnRole was true.
        out[param] = binding.byRole[role ?? 'mailbox'];
      } else {
        out[param] = binding;
      }
    }
    return { role, params: out, missing };
  });
}

/**
 * Typical values, used to check bindings when a file loads. The server names carry a "-" so that
 * a server bound where a health set or probe name belongs is refused.
 */
export const SAMPLE_CONTEXT: BindingContext = {
  server: { name: 'EX-01.contoso.com', fqdn: 'ex-01.contoso.com', short: 'EX-01', valid: true },
  relatedServer: {
    name: 'MBX-01.contoso.com',
    fqdn: 'mbx-01.contoso.com',
    short: 'MBX-01',
    valid: true,
  },
  healthSet: 'POP',
  probe: { name: 'PopCTPProbe', healthSet: 'POP' },
  roles: null,
};

/** Which binding source feeds each parameter (for placeholders). */
export function sourcesOf(params: Record<string, Binding>): Record<string, BindingSource> {
  const out: Record<string, BindingSource> = {};
  for (const [param, binding] of Object.entries(params)) {
    if (isFrom(binding)) out[param] = binding.from;
  }
  return out;
}
