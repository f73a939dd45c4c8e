import { Command } from 'commander';
import { ALERT_SCENARIOS } from '../../jobs/simulated-exchange/alert-scenarios';
import { registerSendAlert } from '../../src/cli/commands/send-alert';
import { startTestServer, type TestServer } from '../support/server';

/** `exchange-chatops send-alert` against the real server and Redis. */
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer('sendalert');
});

afterAll(async () => {
  await srv.stop();
});

async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ out: string; err: string; exitCode: number; error?: Error }> {
  let out = '';
  let err = '';
  const program = new Command('exchange-chatops')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerSendAlert(program, { out: (s) => (out += s), err: (s) => (err += s), env });
  try {
    await program.parseAsync(['node', 'exchange-chatops', 'send-alert', ...args]);
    return { out, err, exitCode: 0 };
  } catch (e) {
    // main() turns a thrown error into its message on stderr and exit code 1 (commander's own).
    const exitCode = (e as { exitCode?: number }).exitCode ?? 1;
    return { out, err, exitCode, error: e as Error };
  }
}

test('--list prints one scenario a line, name first, then what it is', async () => {
  const { out, exitCode } = await run(['--list']);
  expect(exitCode).toBe(0);
  const lines = out.trimEnd().split('\n');
  expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(ALERT_SCENARIOS.map((s) => s.name));
  expect(lines[0]).toMatch(/^pop-backend-hung\s+POP3 back end hung .*MSExchangePOP3BE/);
});

test('--list --lang zh-TW describes each scenario in Traditional Chinese', async () => {
  const { out, exitCode } = await run(['--list', '--lang', 'zh-TW']);
  expect(exitCode).toBe(0);
  const lines = out.trimEnd().split('\n');
  expect(lines).toHaveLength(ALERT_SCENARIOS.length);
  for (const line of lines) expect(line).toMatch(/[\u4e00-\u9fff]/);
  expect(lines[0]).toMatch(/^pop-backend-hung\s+Mailbox 伺服器上的 POP3 後端停止回應/);
});

test('every scenario makes the incident it is meant to; the resolution resolves it', async () => {
  const opts = ['--url', srv.url, '--token', srv.token];
  const incidents = new Map<string, string>();
  // One incident per health set and server: a later scenario about the same pair (the DAG safety
  // scenarios reuse the POP ones' servers) updates the incident an earlier one created.
  const byKey = new Map<string, string>();
  for (const s of ALERT_SCENARIOS.filter((x) => !x.resolves)) {
    const { out, exitCode, error } = await run(['--scenario', s.name, ...opts]);
    expect(error).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(out).toContain('HTTP 202');
    const key = `${s.healthSet}|${s.server}`;
    const earlier = byKey.get(key);
    if (earlier) {
      expect(out).toContain(`updated ${earlier}`);
      incidents.set(s.name, earlier);
      continue;
    }
    const m = /^ {2}created (INC-\d+) {2}(.*)$/m.exec(out);
    expect(m?.[2]).toBe(`${s.healthSet} ${s.monitor} on ${s.server}.contoso.com`);
    byKey.set(key, m![1]!);
    const incident = await srv.incidents.get(m![1]!);
    expect(incident).toMatchObject({
      status: 'open',
      healthSet: s.healthSet,
      monitors: [s.monitor],
      server: { name: `${s.server}.contoso.com` },
    });
    incidents.set(s.name, m![1]!);
  }
  expect(new Set(incidents.values()).size).toBe(byKey.size);
  expect(byKey.size).toBeGreaterThanOrEqual(5);

  // Sent again: a repeat of the same alert updates its incident.
  const again = await run(['--scenario', 'pop-backend-hung', ...opts]);
  expect(again.out).toContain(`updated ${incidents.get('pop-backend-hung')}`);

  // The incident stays open while another of its alerts does: close those first.
  for (const [name, incident] of incidents) {
    if (name === 'pop-backend-hung' || incident !== incidents.get('pop-backend-hung')) continue;
    const other = await run(['--scenario', name, '--resolve', ...opts]);
    expect(other.out).toContain(`updated ${incident}`);
  }
  const resolved = await run(['--scenario', 'pop-resolved', ...opts]);
  expect(resolved.out).toContain('HTTP 202');
  expect(resolved.out).toContain(`resolved ${incidents.get('pop-backend-hung')}`);
  const doc = await srv.incidents.get(incidents.get('pop-backend-hung')!);
  expect(doc?.status).toBe('resolved');

  // --resolve closes any scenario's alert, the token may come from SCOM_WEBHOOK_TOKEN.
  const closed = await run(['--scenario', 'pop-ctp-failure', '--resolve', '--url', srv.url], {
    SCOM_WEBHOOK_TOKEN: srv.token,
  });
  expect(closed.out).toContain(`resolved ${incidents.get('pop-ctp-failure')}`);
});

test('an unknown scenario: a clear error naming the choices, non-zero exit, nothing sent', async () => {
  const { err, exitCode } = await run(['--scenario', 'pop-on-fire', '--url', srv.url]);
  expect(exitCode).not.toBe(0);
  expect(err).toMatch(/argument 'pop-on-fire' is invalid/);
  expect(err).toContain('pop-backend-hung');
});

test('no scenario, no token, a wrong token or no server: clear errors', async () => {
  expect((await run([])).error?.message).toMatch(/--scenario <name>/);
  const noToken = await run(['--scenario', 'pop-transient', '--url', srv.url]);
  expect(noToken.error?.message).toMatch(
    /no webhook token: pass --token or set SCOM_WEBHOOK_TOKEN/,
  );
  const wrong = await run([
    '--scenario',
    'pop-transient',
    '--url',
    srv.url,
    '--token',
    'not-the-token-0000',
  ]);
  expect(wrong.out).toContain('HTTP 401');
  expect(wrong.error?.message).toMatch(/refused the alert \(HTTP 401\): Missing or wrong bearer/);
  const down = await run([
    '--scenario',
    'pop-transient',
    '--url',
    'http://127.0.0.1:9',
    '--token',
    'x',
  ]);
  expect(down.error?.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:9\/api\/alerts\/scom/);
});

test('--print shows the payload without sending it', async () => {
  const { out } = await run(['--scenario', 'pop-command-time', '--print']);
  const payload = JSON.parse(out) as Record<string, unknown>;
  expect(payload.Description).toMatch(
    /^POP health set unhealthy \(AverageCommandProcessingTimeGt60sMonitor\/MSExchangePOP3\) - /,
  );
  expect(payload.ResolutionState).toBe(0);
});
