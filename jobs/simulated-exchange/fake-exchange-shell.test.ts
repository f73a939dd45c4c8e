import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvocationError, PowerShell } from 'node-powershell';
import { ACTION_IDS, buildScript, buildSessionSetup, quotePs } from '../../src/domain/actions';
import { SAMPLE_PARAMS } from '../../test/fixtures/action-params';
import { CORPUS } from '../../test/fixtures/hostile-values';
import { createSimulatedOrg, SIMULATOR_BIN, simulatorEnv, updateOrg } from '.';
import { parseScript } from './parse-powershell';
import { tokenize } from './tokenize-powershell';

let dir: string;
let stateFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'exsim-'));
  stateFile = path.join(dir, 'org.json');
  await createSimulatedOrg(stateFile);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokenizer and parser', () => {
  it.each(ACTION_IDS)('parses the script of %s', (id) => {
    const built = buildScript(id, SAMPLE_PARAMS[id]);
    if (!built.ok) throw new Error('sample refused');
    const statements = parseScript(built.script);
    expect(statements.length).toBe(built.followUp ? 2 : 1);
  });

  it('reads back exactly what quotePs wrote, for the whole hostile corpus', () => {
    const values = CORPUS.filter((v) => !v.includes('\0')); // quotePs refuses NUL
    expect(values.length).toBeGreaterThan(150);
    for (const v of values) {
      const tokens = tokenize(`Get-X -Name ${quotePs(v)}`);
      expect(tokens.filter((t) => t.type === 'string')).toEqual([
        expect.objectContaining({ value: v }),
      ]);
    }
  });

  it('accepts the Unicode dashes PowerShell accepts, and -Param:value', () => {
    const [s] = parseScript("Get-PopSettings \u2013Server:'EX01'");
    expect(s!.pipeline[0]!.args).toEqual([
      { kind: 'param', name: 'Server', value: { kind: 'string', value: 'EX01' } },
    ]);
  });
});

describe('the simulated shell under node-powershell', () => {
  let shell: PowerShell;
  beforeAll(async () => {
    const { NODE_POWERSHELL, ...env } = simulatorEnv(stateFile, true);
    process.env.NODE_POWERSHELL = NODE_POWERSHELL;
    shell = new PowerShell({ spawnOptions: { env: { ...process.env, ...env } } });
  });
  afterAll(() => shell.dispose());

  const fails = async (command: string): Promise<string> => {
    const err = await shell.invoke(command).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvocationError);
    return (err as Error).message;
  };

  it('knows no Exchange cmdlet before the session is imported', async () => {
    expect(await fails("Get-PopSettings -Server 'EX01'")).toMatch(
      /^Get-PopSettings : The term 'Get-PopSettings' is not recognized as the name of a cmdlet/,
    );
  });

  it('accepts the session set-up, then answers as Exchange', async () => {
    const setup = buildSessionSetup({ connectionUri: 'http://ex01.contoso.com/PowerShell/' });
    if (!setup.ok) throw new Error(setup.reason);
    for (const line of setup.lines) expect((await shell.invoke(line)).raw).toBe('');
    const r = await shell.invoke(
      "Get-PopSettings -Server 'EX01' | Select-Object -Property 'Server' | ConvertTo-Json -Compress",
    );
    expect(r.raw).toBe('{"Server":"EX01"}');
    // Zero rows: nothing at all, as PowerShell's ConvertTo-Json.
    const none = await shell.invoke(
      "Get-MailboxDatabaseCopyStatus -Server 'EX01' | Select-Object -Property 'X' | Out-Null",
    );
    expect(none.raw).toBe('');
  });

  it("reports the dependencies' health sets (AD, Network, Store, DataProtection), Unhealthy while their fault lasts", async () => {
    const report = async (set: string) =>
      JSON.parse(
        (
          await shell.invoke(
            `Get-HealthReport -Identity 'EX01' -HealthSet '${set}' | Select-Object -Property 'HealthSet','AlertValue' | ConvertTo-Json -Compress`,
          )
        ).raw,
      ) as { HealthSet: string; AlertValue: string };
    for (const set of ['AD', 'Network', 'Store', 'DataProtection'])
      expect(await report(set.toLowerCase())).toEqual({ HealthSet: set, AlertValue: 'Healthy' });
    await updateOrg(stateFile, (state) => {
      state.faults.push({
        id: 'ad-down',
        server: 'EX01',
        healthSet: 'AD',
        monitor: 'SimulatedADMonitor',
        error: 'The domain controller could not be contacted.',
        since: new Date().toISOString(),
        clears: { by: 'dependency' },
      });
    });
    expect(await report('AD')).toEqual({ HealthSet: 'AD', AlertValue: 'Unhealthy' });
    expect(await report('Store')).toEqual({ HealthSet: 'Store', AlertValue: 'Healthy' });
    const rows = await shell.invoke(
      "Get-ServerHealth -Identity 'EX01' -HealthSet 'AD' | Select-Object -Property 'Name','AlertValue' | ConvertTo-Json -Compress",
    );
    expect(JSON.parse(rows.raw)).toEqual({
      Name: 'SimulatedADMonitor',
      AlertValue: 'Unhealthy',
    });
    await updateOrg(stateFile, (state) => {
      state.faults = state.faults.filter((f) => f.id !== 'ad-down');
    });
    expect(await report('AD')).toEqual({ HealthSet: 'AD', AlertValue: 'Healthy' });
  });

  it('runs each line of an invocation as it is read, in order', async () => {
    const line = (server: string) =>
      `Get-PopSettings -Server '${server}' | Select-Object -Property 'Server' | ConvertTo-Json -Compress`;
    const r = await shell.invoke(`${line('EX01')}\n${line('EX02')}`);
    expect(r.raw).toBe('{"Server":"EX01"}\n{"Server":"EX02"}');
  });

  it('rejects what it does not know, in PowerShell words', async () => {
    expect(await fails("Remove-Mailbox -Identity 'x'")).toMatch(
      /The term 'Remove-Mailbox' is not recognized/,
    );
    expect(await fails('Get-PopSettings -Server "EX01"')).toMatch(/Unexpected token '"'/);
    expect(await fails("Get-PopSettings -Server 'EX01' -Bogus 1")).toMatch(
      /A parameter cannot be found that matches parameter name 'Bogus'/,
    );
    expect(await fails("Get-PopSettings -Server 'EX01'; $(Restart-Computer)")).toMatch(
      /Unexpected token/,
    );
    expect(await fails("Restart-Service -Name 'MSExchangePOP3BE'")).toMatch(
      /not an Exchange server/,
    );
    expect(await fails("Get-PopSettings -Server 'NOPE01'")).toMatch(/couldn't be found/);
    // WinRM only: Restart-Computer over DCOM (Windows PowerShell 5.1's default) cannot get there.
    expect(await fails("Restart-Computer -ComputerName 'EX04' -Force")).toMatch(
      /The RPC server is unavailable/,
    );
    expect(await fails("Restart-Computer -ComputerName 'EX04' -Protocol Carrier -Force")).toMatch(
      /does not belong to the set "DCOM,WSMan"/,
    );
    expect(await fails("[Console]::Title = 'x'")).toMatch(/ReadOnly property/);
    expect(await fails('$x = [System.IO.File]::Delete')).toMatch(/Unable to find type/);
    expect(
      await fails(
        "Invoke-Command -ComputerName 'EX01' -ScriptBlock { Get-Service -Name 'W32Time' }",
      ),
    ).toMatch(/Cannot find any service with service name 'W32Time'/);
  });
});

describe('refusing to start', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [SIMULATOR_BIN, '-NoLogo', '-NoExit', '-Command', '-'], {
      env: { PATH: process.env.PATH ?? '', EXCHANGE_SIMULATOR_FROM_SOURCE: '1', ...env },
      input: '',
      encoding: 'utf8',
    });

  it('without EXCHANGE_SIMULATOR=1', () => {
    const r = run({ EXCHANGE_SIMULATOR_STATE: stateFile });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to start: EXCHANGE_SIMULATOR=1 is not set/);
    expect(r.stdout).toBe('');
  });

  it('without a state file, or with a file that is not one', () => {
    expect(run({ EXCHANGE_SIMULATOR: '1' }).stderr).toMatch(/EXCHANGE_SIMULATOR_STATE/);
    const other = path.join(dir, 'other.json');
    writeFileSync(other, '{"servers":[]}');
    const r = run({ EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: other });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a simulator state file/);
  });

  it('starts, answers the protocol and exits 0 on EOF when enabled', () => {
    const r = spawnSync(process.execPath, [SIMULATOR_BIN], {
      env: { ...process.env, ...simulatorEnv(stateFile, true) },
      input: '[Console]::Error.WriteLine("abc")\n[Console]::Out.WriteLine("abc")\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('abc\n');
    expect(r.stderr).toBe('abc\n');
  });
});
