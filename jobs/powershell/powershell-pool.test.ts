import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACTION_IDS, type ActionId, type ActionOutput } from '../../src/domain/actions';
import { SAMPLE_PARAMS } from '../../test/fixtures/action-params';
import { createSimulatedOrg, readOrg, setScenario, simulatorEnv } from '../simulated-exchange';
import { PowerShellPool, type PowerShellPoolOptions, type RunResult } from './powershell-pool';
import { shellEnvironment } from './shell-environment';

/** Real node-powershell, spawning the simulated Exchange shell through NODE_POWERSHELL. */
let dir: string;
let stateFile: string;
const pools: PowerShellPool[] = [];

function makePool(options: Partial<PowerShellPoolOptions> = {}): PowerShellPool {
  const { NODE_POWERSHELL, ...env } = simulatorEnv(stateFile, true);
  process.env.NODE_POWERSHELL = NODE_POWERSHELL;
  const pool = new PowerShellPool({
    endpoint: { connectionUri: 'http://ex01.contoso.com/PowerShell/' },
    size: 2,
    timeoutMs: 10_000,
    ...options,
    env: { ...env, ...options.env },
  });
  pools.push(pool);
  return pool;
}

function ok(r: RunResult): ActionOutput {
  if (r.status !== 'succeeded' || r.output === null) {
    throw new Error(`${r.actionId} ${r.status}: ${r.error}\n${r.raw}`);
  }
  return r.output;
}

const after = (o: ActionOutput) => {
  if (o.kind !== 'change') throw new Error(`expected a change result, got ${o.kind}`);
  return o.after;
};

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exsim-'));
  stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile, { timing: { rebootMs: 200, serviceRestartMs: 10 } });
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('PowerShellPool against the simulated Exchange', () => {
  it('runs every action end to end', async () => {
    const pool = makePool();
    await pool.start();
    // Reads first, then the changes in an order the organisation allows.
    const order: ActionId[] = [
      ...ACTION_IDS.filter(
        (id) => !['set-', 'move-', 'allow-', 'restart-'].some((p) => id.startsWith(p)),
      ),
      'set-pop-protocol-log',
      'set-imap-protocol-log',
      'restart-service',
      'move-active-databases-off',
      'allow-database-activation',
      'move-active-database',
      'move-preferred-databases-back',
      'restart-server',
    ];
    expect([...order].sort()).toEqual([...ACTION_IDS].sort());
    for (const id of order) {
      const r = await pool.runFromJob(id, SAMPLE_PARAMS[id]);
      const output = ok(r);
      expect(r.command).not.toBeNull();
      // An empty log prints nothing: zero events.
      if (id !== 'get-managed-availability-recoveries') expect(r.raw.length).toBeGreaterThan(0);
      else expect(output).toEqual({ kind: 'ma-recoveries', events: [] });
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      if (id === 'get-server-health' && output.kind === 'server-health') {
        expect(output.monitors.map((m) => m.name)).toEqual([
          'PopDeepTestMonitor',
          'PopSelfTestMonitor',
        ]);
        expect(output.unhealthy).toEqual([]);
      }
      if (id === 'set-pop-protocol-log') {
        expect(after(output)).toMatchObject({ settings: { protocolLogEnabled: true } });
        expect(r.warnings).toEqual([
          'WARNING: Changes to POP3 settings will only take effect after all Microsoft Exchange POP3 services are restarted on server EX01.',
        ]);
      }
      if (id === 'move-active-databases-off') {
        expect(after(output)).toMatchObject({ kind: 'copy-status', anyActive: false });
      }
      if (id === 'move-active-database') {
        expect(after(output)).toMatchObject({ anyActive: true, activeDatabases: ['DB01'] });
      }
      if (id === 'move-preferred-databases-back') {
        expect(after(output)).toMatchObject({ activeDatabases: ['DB01'] });
      }
      if (id === 'get-mailbox-server') {
        expect(output).toMatchObject({ server: { name: 'EX01', dag: 'DAG01' } });
      }
      if (id === 'get-server-component-state' && output.kind === 'component-state') {
        expect(output.components.find((c) => c.component === 'ServerWideOffline')).toMatchObject({
          state: 'Active',
        });
      }
      if (id === 'get-database-copies' && output.kind === 'copy-status') {
        expect(output.copies.map((c) => c.mailboxServer)).toEqual(['EX01', 'EX02', 'EX03', 'EX04']);
      }
      if (id === 'restart-service') {
        expect(after(output)).toEqual({
          kind: 'service-status',
          name: 'MSExchangePOP3BE',
          status: 'Running',
        });
      }
    }
  });

  it('hung POP3 backend: confirmed by the probe, cleared by restarting MSExchangePOP3BE', async () => {
    await setScenario(stateFile, 'pop-backend-hung', { server: 'EX01' });
    const pool = makePool();
    const health = ok(
      await pool.run('get-server-health', { server: 'EX01', healthSet: 'POP.Protocol' }),
    );
    expect(health.kind === 'server-health' && health.unhealthy.map((m) => m.name)).toEqual([
      'PopDeepTestMonitor',
    ]);
    const probe = { server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Failed',
    });
    expect(ok(await pool.run('test-pop-connectivity', { server: 'EX01' }))).toMatchObject({
      succeeded: false,
    });
    // The front-end service is not the fix.
    ok(await pool.run('restart-service', { server: 'EX01', service: 'MSExchangePOP3' }));
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Failed',
    });
    ok(await pool.run('restart-service', { server: 'EX01', service: 'MSExchangePOP3BE' }));
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Succeeded',
      error: null,
    });
  });

  it('a fault only a reboot clears: fail over, restart, fail back', async () => {
    await setScenario(stateFile, 'pop-needs-reboot', { server: 'EX01' });
    const pool = makePool();
    const probe = { server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    ok(await pool.run('restart-service', { server: 'EX01', service: 'MSExchangePOP3BE' }));
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Failed',
    });

    const moved = after(ok(await pool.run('move-active-databases-off', { server: 'EX01' })));
    expect(moved).toMatchObject({ anyActive: false });
    const before = ok(await pool.run('get-boot-time', { server: 'EX01' }));
    const restarted = after(ok(await pool.run('restart-server', { server: 'EX01' })));
    expect(
      restarted.kind === 'boot-time' &&
        before.kind === 'boot-time' &&
        restarted.lastBootUpTime! > before.lastBootUpTime!,
    ).toBe(true);
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Succeeded',
    });

    // Activation stays blocked across the reboot: moving back is refused until it is allowed.
    const early = await pool.run('move-active-database', { database: 'DB01', server: 'EX01' });
    expect(early.status).toBe('failed');
    expect(early.raw).toMatch(/activation is blocked/);
    expect(
      after(ok(await pool.run('allow-database-activation', { server: 'EX01' }))),
    ).toMatchObject({ anyActive: false });
    const back = after(
      ok(await pool.run('move-active-database', { database: 'DB01', server: 'EX01' })),
    );
    expect(back).toMatchObject({ anyActive: true, activeDatabases: ['DB01'] });
  });

  it('a restart without fail-over moves the active copies as Exchange would', async () => {
    const pool = makePool();
    ok(await pool.run('restart-server', { server: 'EX02' }));
    const org = await readOrg(stateFile);
    const db02 = org.databases.find((d) => d.name === 'DB02')!;
    expect(db02.active).not.toBe('EX02');
    expect(db02.mounted).toBe(true);
  });

  it('a transient fault is gone at verify time', async () => {
    await setScenario(stateFile, 'pop-transient', { server: 'EX01' });
    const pool = makePool();
    const health = ok(
      await pool.run('get-server-health', { server: 'EX01', healthSet: 'POP.Protocol' }),
    );
    expect(health).toMatchObject({ unhealthy: [{ name: 'PopDeepTestMonitor' }] });
    const probe = { server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    expect(ok(await pool.run('invoke-monitoring-probe', probe))).toMatchObject({
      resultType: 'Succeeded',
    });
  });

  it("a failed change reports PowerShell's error and runs no follow-up read", async () => {
    const pool = makePool();
    for (const s of ['EX02', 'EX03', 'EX04']) {
      ok(await pool.run('move-active-databases-off', { server: s }));
    }
    const r = await pool.run('move-active-databases-off', { server: 'EX01' });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/^Set-MailboxServer : An Active Manager operation failed/);
    expect(r.raw).not.toMatch(/"DatabaseName"/);
    expect(r.outcomeUnknown).toBe(false);
    // All or nothing: nothing moved and activation is still allowed on EX01.
    const org = await readOrg(stateFile);
    expect(org.servers.find((x) => x.name === 'EX01')!.activationDisabled).toBe(false);
    expect(org.databases.find((d) => d.name === 'DB01')!.active).toBe('EX01');
  });

  it('replaces a timed-out shell; the next command succeeds', async () => {
    await setScenario(stateFile, 'slow-probe', { server: 'EX01', delayMs: 20_000 });
    const pool = makePool({ size: 1, timeoutMs: 800 });
    await pool.start();
    const probe = { server: 'EX01', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    const t0 = Date.now();
    const slow = await pool.run('invoke-monitoring-probe', probe);
    expect(slow.status).toBe('timed-out');
    expect(slow.outcomeUnknown).toBe(false);
    expect(Date.now() - t0).toBeLessThan(3_000);
    const next = await pool.run('get-pop-settings', { server: 'EX01' });
    expect(ok(next)).toMatchObject({ settings: { server: 'EX01' } });
    expect(pool.liveShells).toBe(1);
  });

  it('replaces a shell that dies mid-command', async () => {
    await setScenario(stateFile, 'shell-crash', { server: 'EX02' });
    const pool = makePool({ size: 1 });
    const probe = { server: 'EX02', healthSet: 'POP.Protocol', probe: 'PopDeepTestProbe' };
    const r = await pool.run('invoke-monitoring-probe', probe);
    expect(r.status).toBe('crashed');
    expect(r.raw).toMatch(/simulated crash/);
    expect(ok(await pool.run('get-pop-settings', { server: 'EX02' })).kind).toBe(
      'protocol-settings',
    );
    expect(pool.liveShells).toBe(1);
  });

  it('replaces a shell whose remote Exchange session broke; a read runs again', async () => {
    const pool = makePool({ size: 1 });
    ok(await pool.run('get-pop-settings', { server: 'EX01' }));
    await setScenario(stateFile, 'session-broken');
    const read = await pool.run('get-pop-settings', { server: 'EX01' });
    expect(read).toMatchObject({ status: 'succeeded', attempts: 2 });

    await setScenario(stateFile, 'session-broken');
    const change = await pool.run('set-pop-protocol-log', { server: 'EX01', enabled: true });
    expect(change).toMatchObject({ status: 'failed', attempts: 1, outcomeUnknown: true });
    expect(change.raw).toMatch(/PSRemotingTransportException/);
    expect(await pool.run('get-pop-settings', { server: 'EX01' })).toMatchObject({
      status: 'succeeded',
      attempts: 1,
    });
  });

  it('a reboot of the endpoint server breaks the session; the next read gets a new one', async () => {
    const pool = makePool({ size: 1 });
    ok(await pool.run('restart-server', { server: 'EX01' }));
    const r = await pool.run('get-mailbox-database-copy-status', { server: 'EX01' });
    expect(r).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('a change that times out has an unknown outcome', async () => {
    const pool = makePool({ size: 1, actionTimeoutsMs: { 'restart-server': 50 } });
    const r = await pool.run('restart-server', { server: 'EX03' });
    expect(r).toMatchObject({ status: 'timed-out', outcomeUnknown: true });
    expect(ok(await pool.run('get-pop-settings', { server: 'EX01' })).kind).toBe(
      'protocol-settings',
    );
  });

  it('serialises state changes from several shells', async () => {
    const pool = makePool({ size: 4 });
    const servers = ['EX01', 'EX02', 'EX03', 'EX04'];
    const runs = await Promise.all(
      servers.flatMap((server) => [
        pool.run('set-pop-protocol-log', { server, enabled: true }),
        pool.run('set-imap-protocol-log', { server, enabled: true }),
      ]),
    );
    runs.forEach(ok);
    const org = await readOrg(stateFile);
    expect(org.servers.every((s) => s.pop.protocolLogEnabled && s.imap.protocolLogEnabled)).toBe(
      true,
    );
  });

  it('refuses bad parameters and servers outside the inventory before running anything', async () => {
    const pool = makePool({ inventory: ['EX02', 'ex03.contoso.com'] });
    const outside = await pool.run('get-pop-settings', { server: 'EX01' });
    expect(outside).toMatchObject({
      status: 'refused',
      error: 'server "EX01" is not in the configured inventory',
    });
    const hostile = await pool.run('get-pop-settings', { server: "EX02'; Restart-Computer" });
    expect(hostile).toMatchObject({ status: 'refused', command: null });
    expect(ok(await pool.run('get-pop-settings', { server: 'ex03' })).kind).toBe(
      'protocol-settings',
    );
    // Job data of any shape is validated the same way.
    expect(await pool.runFromJob('Remove-Mailbox', { server: 'EX02' })).toMatchObject({
      status: 'refused',
      error: '(action): unknown action "Remove-Mailbox"',
    });
    expect(await pool.runFromJob('get-pop-settings', { server: 42 })).toMatchObject({
      status: 'refused',
    });
    expect(pool.liveShells).toBe(1);
  });

  it('reports a shell that cannot be set up', async () => {
    const pool = makePool({ env: { EXCHANGE_SIMULATOR: '0' } });
    const r = await pool.run('get-pop-settings', { server: 'EX01' });
    expect(r.status).toBe('unavailable');
    expect(r.error).toMatch(/refusing to start/);
  });
});

describe('shellEnvironment', () => {
  it('passes the worker environment on without secrets', () => {
    const env = shellEnvironment(
      {
        PATH: '/bin',
        SystemRoot: 'C:\\Windows',
        JOB_SIGNING_KEY: 'k',
        SLACK_BOT_TOKEN: 't',
        REDIS_URL: 'redis://:pw@h',
        MS_APP_PASSWORD: 'p',
      },
      { EXCHANGE_SIMULATOR: '1' },
    );
    expect(env).toEqual({ PATH: '/bin', SystemRoot: 'C:\\Windows', EXCHANGE_SIMULATOR: '1' });
  });
});
