import type { ServerRef } from '../alerts/alert';
import type { Catalog, MonitorDef, ProbeDef, SectionDef } from './catalog';
import type { GotoTarget } from './schema';

/** Where a run stands when it meets a goto. */
export interface GotoFrom {
  server: ServerRef | null;
  relatedServer: ServerRef | null;
  healthSet: string | null;
  monitor: MonitorDef | null;
}

/** The section a goto leads to and the values its steps bind to. */
export interface GotoResult extends GotoFrom {
  section: SectionDef;
  probe: ProbeDef | null;
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Follows a goto step. `server: relatedServer` hands the `_Mbx:` mailbox server over as the
 * server of the followed section (the CTP section's "if the mailbox server is unhealthy, follow
 * the deep-test section"); `monitor` names whose probe that section re-runs. Null when there is
 * nowhere to go: `monitorRecovery` without a known monitor. Pure. The server's roles are not
 * known here: look the new server up in the inventory.
 */
export function followGoto(catalog: Catalog, goto: GotoTarget, from: GotoFrom): GotoResult | null {
  if ('monitorRecovery' in goto) {
    if (from.monitor === null) return null;
    const section = catalog.sections.get(from.monitor.section);
    return section ? { ...from, section, probe: probeOf(catalog, from.monitor) } : null;
  }
  const section = catalog.sections.get(goto.section);
  if (!section) return null;
  const named = goto.monitor;
  const monitor =
    named === undefined
      ? from.monitor
      : (catalog.monitors.find(
          (m) =>
            m.runbookId === section.runbookId &&
            (eq(m.name, named) || m.aliases.some((a) => eq(a, named))),
        ) ??
        catalog.monitors.find((m) => eq(m.name, named) || m.aliases.some((a) => eq(a, named))) ??
        null);
  const handOver = goto.server === 'relatedServer';
  return {
    section,
    server: handOver ? from.relatedServer : from.server,
    // Once the mailbox server is the server, there is no further server behind it.
    relatedServer: handOver ? null : from.relatedServer,
    healthSet: monitor?.healthSet ?? from.healthSet,
    monitor,
    probe: monitor ? probeOf(catalog, monitor) : null,
  };
}

function probeOf(catalog: Catalog, monitor: MonitorDef): ProbeDef | null {
  const name = monitor.probe;
  return name === undefined ? null : (catalog.probes.find((p) => eq(p.name, name)) ?? null);
}
