import express from 'express';
import type { AddressInfo } from 'node:net';
import { resultLink, resultLinkKey } from '../../app/chat/result-links';
import type { RunView } from '../../domain/cards/run-view';
import { resultsRouter } from './results-route';

const key = resultLinkKey('k'.repeat(40));
const run: RunView = {
  id: 'RUN-1',
  incidentId: 'INC-4',
  version: 1,
  sectionId: 's',
  status: 'running',
  verdict: 'confirmed',
  waitUntil: null,
  steps: {
    probe: {
      state: 'failed',
      results: [
        {
          jobId: 'RUN-INC-4-probe-1',
          actionId: 'invoke-monitoring-probe',
          status: 'failed',
          summary: 'failed',
          command:
            "Invoke-MonitoringProbe -Identity 'POP.Protocol\\PopDeepTestProbe' -Server 'EX01'",
          durationMs: 10,
          finishedAt: '2026-11-27T04:00:00Z',
          raw: 'x'.repeat(10_000),
        },
      ],
    },
  },
};

test('a signed link shows the whole output; a forged or foreign one does not', async () => {
  const app = express();
  app.use('/results', resultsRouter({ key, getRun: async (id) => (id === 'INC-4' ? run : null) }));
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const link = resultLink(base, key, 'INC-4', 'RUN-INC-4-probe-1');
    const ok = await fetch(link);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await ok.text();
    expect(text).toContain('PS> Invoke-MonitoringProbe');
    expect(text).toContain('x'.repeat(10_000));
    // The same signature for another incident's job is refused.
    const sig = new URL(link).searchParams.get('sig');
    expect((await fetch(`${base}/results/INC-5/RUN-INC-4-probe-1?sig=${sig}`)).status).toBe(403);
    expect((await fetch(`${base}/results/INC-4/RUN-INC-4-probe-1?sig=nope`)).status).toBe(403);
    expect((await fetch(resultLink(base, key, 'INC-4', 'other-job'))).status).toBe(404);
    expect((await fetch(`${base}/results/..%2Fetc/x?sig=a`)).status).toBe(400);
  } finally {
    server.close();
  }
});
