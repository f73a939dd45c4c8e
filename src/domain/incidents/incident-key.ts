import { createHash } from 'node:crypto';
import type { Alert } from '../alerts/alert';
import { serverKey } from '../alerts/host-name';

/**
 * Alerts about the same health set on the same server belong to one incident while it is open.
 * An alert whose health set could not be read is grouped by its Name instead.
 */
export function incidentKey(alert: Alert): string {
  const set = alert.healthSet
    ? alert.healthSet.toLowerCase()
    : `name-${createHash('sha256').update(alert.name.toLowerCase()).digest('hex').slice(0, 16)}`;
  return `${set}|${serverKey(alert.server)}`;
}
