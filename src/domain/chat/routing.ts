import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ChatPlatform } from '../approvals/identity';
import type { Incident } from '../incidents/incident';

/**
 * Which channel an incident's card goes to on each platform: the first rule that matches (by
 * health set, server, site and severity), else the platform's default alert channel.
 */
const list = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1)]);
const channels = z
  .object({
    slack: z.string().min(1).max(200).optional(),
    teams: z.string().min(1).max(500).optional(),
    console: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
  })
  .strict();

export const routesFileSchema = z
  .object({
    version: z.literal(1),
    routes: z
      .array(
        z
          .object({
            match: z
              .object({
                healthSet: list.optional(),
                server: list.optional(),
                site: list.optional(),
                severity: list.optional(),
              })
              .strict(),
            channels,
          })
          .strict(),
      )
      .default([]),
    defaults: channels.default({}),
  })
  .strict();

export type Routes = z.output<typeof routesFileSchema>;

export function parseRoutes(
  text: string,
  source = 'routes',
): { ok: true; routes: Routes } | { ok: false; error: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return {
      ok: false,
      error: `${source}: not valid YAML (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const parsed = routesFileSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      error: `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    };
  }
  return { ok: true, routes: parsed.data };
}

const asList = (v: string | string[] | undefined): string[] | null =>
  v === undefined ? null : (Array.isArray(v) ? v : [v]).map((x) => x.toLowerCase());

/** The channel for an incident on a platform, or null when no rule or default names one. */
export function routeIncident(
  routes: Routes,
  incident: Pick<Incident, 'healthSet' | 'server' | 'severity'>,
  site: string | null,
  platform: ChatPlatform,
  fallback: string | null,
): string | null {
  const server = incident.server?.short.toLowerCase() ?? null;
  for (const rule of routes.routes) {
    const m = rule.match;
    const ok = (values: string[] | null, actual: string | null | undefined): boolean =>
      values === null || (actual != null && values.includes(actual.toLowerCase()));
    const servers = asList(m.server)?.map((s) => s.split('.')[0] ?? s) ?? null;
    if (
      ok(asList(m.healthSet), incident.healthSet) &&
      ok(servers, server) &&
      ok(asList(m.site), site) &&
      ok(asList(m.severity), incident.severity)
    ) {
      const channel = rule.channels[platform];
      if (channel) return channel;
    }
  }
  return routes.defaults[platform] ?? fallback;
}
