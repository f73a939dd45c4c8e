import { z } from 'zod';
import { checkHostName } from '../alerts/host-name';
import type { ServerRole } from '../runbooks/schema';

/**
 * Which Exchange servers exist, their roles and the site whose worker reaches them. Optional: with
 * no inventory every server is in the site `default` and any valid host name may be targeted;
 * with one, only the servers it lists. The file (INVENTORY_FILE, YAML):
 *
 *   sites:
 *     site-a:
 *       servers:
 *         - { name: EX01, fqdn: ex01.contoso.com, roles: [Mailbox, ClientAccess] }
 *         - { name: EX02 }   # roles default to [Mailbox]
 *         - { name: EX03, dag: dag01 }   # its database availability group, if any
 */

/**
 * The file spells roles as Exchange does (`Get-ExchangeServer`'s ServerRole); the parsed inventory
 * holds the runbooks' ids, which the run machine and the cards read.
 */
const FILE_ROLES = { Mailbox: 'mailbox', ClientAccess: 'client-access' } as const;
const fileRole = z.enum(['Mailbox', 'ClientAccess']).transform((r): ServerRole => FILE_ROLES[r]);

export interface InventoryServer {
  /** Short name, upper-case. */
  name: string;
  fqdn: string | null;
  site: string;
  roles: ServerRole[];
  /**
   * The database availability group the server is a member of (lower case), or null. The blast
   * radius limit allows one destructive change per DAG at a time (src/domain/outages/holds.ts).
   * Absent when the file gives none, so inventories built before the field existed stay valid.
   */
  dag?: string | undefined;
}

export interface Inventory {
  sites: string[];
  servers: InventoryServer[];
}

export const DEFAULT_SITE = 'default';

const siteName = z.string().regex(/^[a-z0-9-]{1,40}$/, 'site names use a-z, 0-9 and "-"');
/** A DAG's name as `New-DatabaseAvailabilityGroup` allows it (at most 15 characters, NetBIOS). */
const dagName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, 'a DAG name uses letters, digits and "-" (at most 15)')
  .transform((v) => v.toLowerCase());
const hostName = z.string().superRefine((v, ctx) => {
  const problem = checkHostName(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `server ${problem}` });
});

const fileSchema = z
  .object({
    sites: z.record(
      siteName,
      z
        .object({
          servers: z
            .array(
              z
                .object({
                  name: hostName,
                  fqdn: hostName.optional(),
                  roles: z.array(fileRole).min(1).default(['mailbox']),
                  dag: dagName.optional(),
                })
                .strict(),
            )
            .min(1),
        })
        .strict(),
    ),
  })
  .strict();

export type InventoryParseResult =
  { ok: true; inventory: Inventory } | { ok: false; errors: string[] };

/** Checks a parsed inventory file (YAML or JSON already turned into data). */
export function parseInventory(data: unknown): InventoryParseResult {
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    };
  }
  const servers: InventoryServer[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const [site, { servers: list }] of Object.entries(parsed.data.sites)) {
    for (const s of list) {
      const name = (s.name.split('.')[0] ?? s.name).toUpperCase();
      const fqdn = s.fqdn?.toLowerCase() ?? (s.name.includes('.') ? s.name.toLowerCase() : null);
      const other = seen.get(name);
      if (other) errors.push(`sites.${site}: server ${name} is already listed in site ${other}`);
      seen.set(name, site);
      servers.push({ name, fqdn, site, roles: s.roles, ...(s.dag ? { dag: s.dag } : {}) });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, inventory: { sites: Object.keys(parsed.data.sites), servers } };
}

/** The listed server a name refers to, by short name or FQDN, case-insensitively. */
export function findServer(inventory: Inventory, name: string): InventoryServer | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const short = (lower.split('.')[0] ?? lower).toUpperCase();
  return inventory.servers.find(
    (s) => s.fqdn === lower || (s.name === short && (!lower.includes('.') || s.fqdn === null)),
  );
}

export type SiteLookup = { ok: true; site: string } | { ok: false; reason: string };

/** Where a job for this server must go; refuses servers an inventory does not list. */
export function siteFor(inventory: Inventory | null, server: string): SiteLookup {
  if (!inventory) return { ok: true, site: DEFAULT_SITE };
  const found = findServer(inventory, server);
  if (!found) return { ok: false, reason: `server ${server} is not in the inventory` };
  return { ok: true, site: found.site };
}

/** The DAG of a listed server, or null (not listed, not in a DAG, or no inventory). */
export function dagFor(inventory: Inventory | null, server: string): string | null {
  return inventory ? (findServer(inventory, server)?.dag ?? null) : null;
}

export function allSites(inventory: Inventory | null): string[] {
  return inventory ? inventory.sites : [DEFAULT_SITE];
}
