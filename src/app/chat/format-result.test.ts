import { formatResult } from './format-result';

const base = {
  jobId: 'J1',
  actionId: 'invoke-monitoring-probe',
  status: 'succeeded',
  durationMs: 1200,
};

/** The thread's mark says what the runbook step expected, like the step's badge on the card. */
test.each([
  ['met', '✅'],
  ['not-met', '❌'],
  ['unreadable', '⚠️'],
] as const)('a check whose expectation is %s is marked %s', (expectation, icon) => {
  const reply = formatResult(
    { ...base, summary: 'probe Failed: PopDeepTestProbe', expectation },
    { lang: 'en', stepLabel: 'Step 2 · Re-run a probe' },
  );
  expect(reply.text.startsWith(`${icon} Step 2 · Re-run a probe: probe Failed`)).toBe(true);
});

test('without an expectation the job status decides; a failed job is never a tick', () => {
  expect(formatResult({ ...base }, { lang: 'en' }).text.startsWith('✅')).toBe(true);
  expect(formatResult({ ...base, status: 'failed' }, { lang: 'en' }).text.startsWith('❌')).toBe(
    true,
  );
  expect(
    formatResult({ ...base, status: 'unknown', expectation: 'met' }, { lang: 'en' }).text,
  ).toMatch(/^❓/);
});

describe('a result with a parsed output', () => {
  const restart = {
    jobId: 'J2',
    actionId: 'restart-service',
    status: 'succeeded',
    durationMs: 4100,
    summary: 'done',
    command:
      "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
    params: { server: 'EX01', service: 'MSExchangePOP3BE' },
    raw: '{"Name":"MSExchangePOP3BE","Status":4}',
    parsed: {
      kind: 'change',
      after: { kind: 'service-status', name: 'MSExchangePOP3BE', status: 'Running' },
    },
    finishedAt: '2026-12-01T07:49:11.000Z',
  };

  it('says what the change changed, not "done", in the channel language', () => {
    expect(formatResult(restart, { lang: 'en', stepLabel: 'Step 3' }).text).toBe(
      '✅ Step 3: MSExchangePOP3BE Running, restarted 07:49:11Z (4.1 s)',
    );
    expect(formatResult(restart, { lang: 'zh-TW', stepLabel: '步驟 3' }).text).toContain(
      'MSExchangePOP3BE Running，已於 07:49:11Z 重新啟動',
    );
  });

  it('carries the tables, and keeps the raw output as code marked raw', () => {
    const reply = formatResult(restart, { lang: 'en', fullTextUrl: 'https://bot/r/1' });
    expect(reply.tables?.[0]?.rows[0]?.cells).toEqual(['MSExchangePOP3BE', 'Running']);
    expect(reply.code?.map((c) => [c.title, c.raw ?? false])).toEqual([
      ['PowerShell', false],
      ['Raw output', true],
    ]);
    expect(reply.code?.[1]?.body).toBe(restart.raw);
  });

  it('a failed job has no tables and its reason as the output', () => {
    const reply = formatResult(
      {
        ...restart,
        status: 'failed',
        reason: 'Access is denied',
        summary: 'failed: Access is denied',
      },
      { lang: 'en' },
    );
    expect(reply.tables).toBeUndefined();
    expect(reply.text).toContain('failed: Access is denied');
  });
});
