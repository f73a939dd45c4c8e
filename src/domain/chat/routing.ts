import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { PlatformId } from '../identity/actor';
import type { PlatformRules } from '../identity/platform-rules';
import type { Incident } from '../incidents/incident';

/**
 * Which channel an incident's card goes to on each platform: the first rule that matches (by
 * health set, server, site and severity), else the platform's default alert channel.
 */
const list = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1)]);
/** `channels`: one optional channel per platform, each checked by its platform's rule. */
function channelsSchema(platforms: readonly PlatformRules[]) {
  return z
    .object(Object.fromEntries(platforms.map((p) => [p.id, p.channel.optional()])))
    .strict() as unknown as z.ZodType<Record<PlatformId, string | undefined>>;
}

export function routesFileSchema(platforms: readonly PlatformRules[]) {
  const channels = channelsSchema(platforms);
  return z
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
}

export type Routes = z.output<ReturnType<typeof routesFileSchema>>;

export function parseRoutes(
  text: string,
  platforms: readonly PlatformRules[],
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
  const parsed = routesFileSchema(platforms).safeParse(doc);
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
  platform: PlatformId,
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
