import type { Outage, OutageMember } from '../../src/domain/outages/outage';

/** The time the outage fixtures start at. */
export const OUTAGE_T0 = '2026-03-02T10:00:00.000Z';

/**
 * Member `i` of a site-a outage: server EX00i, POP or IMAP (odd i) CTP, depending on AD and
 * authentication, first seen i seconds after OUTAGE_T0, open.
 */
export const outageMember = (i: number, over: Partial<OutageMember> = {}): OutageMember => ({
  incidentId: `inc-${i}`,
  server: `EX${String(i).padStart(3, '0')}`,
  site: 'site-a',
  healthSet: i % 2 ? 'IMAP' : 'POP',
  monitor: i % 2 ? 'ImapCTPMonitor' : 'PopCTPMonitor',
  dag: null,
  dependencies: ['active-directory', 'authentication'],
  firstSeen: new Date(Date.parse(OUTAGE_T0) + i * 1000).toISOString(),
  lastSeen: new Date(Date.parse(OUTAGE_T0) + i * 1000).toISOString(),
  joinedAt: OUTAGE_T0,
  status: 'open',
  resolvedAt: null,
  hadOwnCard: false,
  ...over,
});

/** An open outage of site-a keyed on Active Directory, of these members. */
export const outageOf = (members: OutageMember[], over: Partial<Outage> = {}): Outage => ({
  id: 'outage-site-a-active-directory-abc',
  site: 'site-a',
  key: { kind: 'dependency', id: 'active-directory' },
  status: 'open',
  openedAt: OUTAGE_T0,
  changedAt: OUTAGE_T0,
  resolvedAt: null,
  reopened: 0,
  members,
  ...over,
});
