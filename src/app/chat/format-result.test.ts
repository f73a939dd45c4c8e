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
