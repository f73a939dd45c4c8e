import { toServerRef } from '../../src/domain/alerts/host-name';
import { buildIncidentCard } from '../../src/domain/cards/incident-card';
import type { Card } from '../../src/domain/cards/card';
import type { Incident } from '../../src/domain/incidents/incident';
import { loadCatalog } from '../../src/infra/files/load-catalog';
import { sampleRequest } from './approval-requests';
import { sampleIncident } from './incidents';

/**
 * Text an attacker (or a careless SCOM author) can put into an alert: a channel ping, a user
 * mention, a Slack link, markdown (bold, a markdown link), HTML and an XML mention.
 */
export const HOSTILE =
  '<!channel> <@U123ABC> <https://evil.example|click> *bold* _it_ [click](https://evil.example) <b>html</b> <at>Ana</at> &amp;';

/** An incident whose every field that can reach a card carries HOSTILE, and its card. */
export function hostileIncident(): Incident {
  const base = sampleIncident({
    Name: HOSTILE,
    Description: HOSTILE,
    CustomField1: HOSTILE,
    CustomField2: HOSTILE,
  });
  return {
    ...base,
    title: HOSTILE,
    description: HOSTILE,
    failureText: HOSTILE,
    healthSet: HOSTILE,
    monitors: [HOSTILE],
    server: toServerRef(HOSTILE),
  };
}

export function hostileCard(): Card {
  return buildIncidentCard({
    incident: hostileIncident(),
    catalog: loadCatalog(),
    run: null,
    requests: [
      sampleRequest({
        incidentId: 'INC-7',
        title: HOSTILE,
        command: HOSTILE,
        server: HOSTILE,
        note: HOSTILE,
        requester: { platform: 'slack', id: 'U012ANA01', displayName: HOSTILE },
      }),
    ],
    lang: 'en',
    now: new Date('2026-11-27T03:01:00.000Z'),
  });
}
