import type { Incident } from '../incidents/incident';
import { findServer, DEFAULT_SITE, type Inventory } from '../inventory/inventory';
import type { Catalog } from '../runbooks/catalog';
import { dependenciesOf } from '../runbooks/dependencies';

/**
 * What the correlation needs to know of one incident; built by `toOutageCandidate` from the
 * incident, the runbook data (its probe's dependencies) and the inventory (site, DAG).
 */
export interface OutageCandidate {
  incidentId: string;
  status: 'open' | 'resolved';
  healthSet: string | null;
  /** The health set's family: its first segment in lower case (`POP.Protocol` -> `pop`). */
  family: string | null;
  monitor: string | null;
  /** Short name, upper case; null when the incident names no valid server (never grouped). */
  server: string | null;
  site: string;
  dag: string | null;
  /** Dependency ids of the failing probe, from the runbook data. */
  dependencies: string[];
  firstSeen: string;
  lastSeen: string;
}

export function healthSetFamily(healthSet: string | null): string | null {
  const first = healthSet?.trim().split('.')[0]?.toLowerCase() ?? '';
  return first === '' ? null : first;
}

/** The incident as the correlation sees it. Pure. */
export function toOutageCandidate(
  incident: Incident,
  catalog: Catalog,
  inventory: Inventory | null,
): OutageCandidate {
  const monitor = incident.monitors[incident.monitors.length - 1] ?? null;
  const server = incident.server?.valid ? incident.server : null;
  const listed =
    inventory && server ? findServer(inventory, server.fqdn ?? server.name) : undefined;
  return {
    incidentId: incident.id,
    status: incident.status,
    healthSet: incident.healthSet,
    family: healthSetFamily(incident.healthSet),
    monitor,
    server: server ? server.short : null,
    // Without an inventory every server is in the one default site (inventory.ts).
    site: listed?.site ?? DEFAULT_SITE,
    dag: listed?.dag ?? null,
    dependencies: dependenciesOf(catalog, { monitor, healthSet: incident.healthSet }).map(
      (d) => d.id,
    ),
    firstSeen: incident.firstSeen,
    lastSeen: incident.lastSeen,
  };
}
