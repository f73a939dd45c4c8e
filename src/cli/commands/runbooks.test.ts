import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadCatalog } from '../../infra/files/load-catalog';
import { shippedRunbooksDir } from '../../infra/files/read-runbook-files';
import { registerRunbooks, validateRunbookDir, type ShowJson, type ShowJsonStep } from './runbooks';

const catalog = loadCatalog();

/** Runs `exchange-chatops runbooks ...` in-process and collects what it prints. */
async function run(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  let out = '';
  let err = '';
  const program = new Command('exchange-chatops')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerRunbooks(program, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    catalog: () => catalog,
    validate: validateRunbookDir,
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  let exitCode: number;
  try {
    await program.parseAsync(['node', 'exchange-chatops', 'runbooks', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (e) {
    exitCode = (e as { exitCode?: number }).exitCode ?? 1;
  } finally {
    process.exitCode = before;
  }
  return { out, err, exitCode };
}

const STEP_KEYS = [
  'id',
  'number',
  'kind',
  'text',
  'command',
  'choices',
  'action',
  'condition',
  'steps',
];

function checkStepShape(step: ShowJsonStep): void {
  for (const key of Object.keys(step)) expect(STEP_KEYS).toContain(key);
  expect(typeof step.id).toBe('string');
  expect(typeof step.number).toBe('string');
  expect(typeof step.text).toBe('string');
  step.steps?.forEach(checkStepShape);
}

describe('runbooks show --json', () => {
  it('prints the issue’s shape with --server bound into every command', async () => {
    const { out, exitCode } = await run(
      'show',
      'POPCTPMonitor',
      '--server',
      'CAS01.contoso.com',
      '--json',
    );
    expect(exitCode).toBe(0);
    const json = JSON.parse(out) as ShowJson;
    expect(Object.keys(json)).toEqual(['query', 'matchedBy', 'healthSet', 'monitor', 'section']);
    expect(Object.keys(json.section)).toEqual(['id', 'title', 'steps']);
    expect(json).toMatchObject({
      query: 'POPCTPMonitor',
      matchedBy: 'monitor',
      healthSet: 'POP',
      monitor: 'PopCTPMonitor',
      section: { id: 'pop-ctp', title: 'PopCTPMonitor recovery actions' },
    });
    json.section.steps.forEach(checkStepShape);
    // The seed's 8 steps and, first, the safety check beyond the seed (runbooks/pop.yaml).
    expect(json.section.steps).toHaveLength(9);
    expect(json.section.steps[0]?.id).toBe('pop-ctp.hold');
    expect(json.section.steps[2]).toEqual({
      id: 'pop-ctp.2',
      number: '2',
      kind: 'check',
      text: 'Rerun the associated probe as in step 2c of the "Verifying the issue still exists" section.',
      command: "Invoke-MonitoringProbe -Identity 'POP\\PopCTPProbe' -Server 'CAS01.contoso.com'",
      action: 'invoke-monitoring-probe',
    });
    const three = json.section.steps[3];
    expect(three?.steps?.map((s) => s.number)).toEqual(['3.1', '3.2', '3.3', '3.4', '3.5', '3.6']);
    expect(three?.condition).toBe('Only if step 2 failed');
    expect(three?.steps?.[0]?.command).toBe(
      "Set-PopSettings -Server 'CAS01.contoso.com' -ProtocolLogEnabled $true",
    );
    expect(json.section.steps[8]).toMatchObject({
      kind: 'manual',
      condition: 'Only if step 5 failed',
    });
    expect(json.section.steps[8]).not.toHaveProperty('command');
  });

  it('shows placeholders without --server, zh-TW with --lang, and role choices', async () => {
    const { out } = await run(
      'show',
      'AverageCommandProcessingTimeGt60sMonitor',
      '--health-set',
      'POP',
      '--lang',
      'zh-TW',
      '--json',
    );
    const json = JSON.parse(out) as ShowJson;
    expect(json.section.id).toBe('pop-60s');
    expect(json.section.title).toBe('AverageCommandProcessingTimeGt60sMonitor 復原動作');
    // After the safety check beyond the seed (the section's first step).
    const [, first, second] = json.section.steps;
    expect(first?.choices).toEqual([
      {
        role: 'client-access',
        command:
          "Invoke-Command -ComputerName <server> -ScriptBlock { Restart-Service -Name 'MSExchangePOP3' -Force }",
      },
      {
        role: 'mailbox',
        command:
          "Invoke-Command -ComputerName <server> -ScriptBlock { Restart-Service -Name 'MSExchangePOP3BE' -Force }",
      },
    ]);
    expect(second?.command).toBe('Get-ServerHealth -Identity <server>');

    const mailbox = JSON.parse(
      (
        await run(
          'show',
          'POP\\AverageCommandProcessingTimeGt60sMonitor',
          '--role',
          'mailbox',
          '--server',
          'MBX01',
          '--json',
        )
      ).out,
    ) as ShowJson;
    expect(mailbox.section.steps[1]?.command).toContain("'MSExchangePOP3BE'");
  });

  it('says how it matched: alias, probe, health set, generic', async () => {
    const matched = async (q: string) => {
      const j = JSON.parse((await run('show', q, '--json')).out) as ShowJson;
      return [j.matchedBy, j.section.id, j.healthSet, j.monitor];
    };
    expect(await matched('PopTestDeepMonitor')).toEqual([
      'monitor-alias',
      'pop-deep',
      'POP.Protocol',
      'PopDeepTestMonitor',
    ]);
    expect(await matched('PopCTPProbe')).toEqual(['probe', 'pop-ctp', 'POP', 'PopCTPMonitor']);
    expect(await matched('pop.proxy')).toEqual(['health-set', 'pop-verify', 'POP.Proxy', null]);
    expect(await matched('OwaSelfTestMonitor')).toEqual(['generic', 'generic-verify', null, null]);
  });

  it('refuses to bind an invalid server name and says so', async () => {
    const { out, err } = await run(
      'show',
      'PopProxyTestMonitor',
      '--server',
      "CAS01'; Stop-Computer",
      '--json',
    );
    expect(err).toMatch(/^note: --server .*not a valid host name/);
    expect(out).not.toContain('Stop-Computer');
    expect((JSON.parse(out) as ShowJson).section.steps[1]?.command).toContain(
      '-ComputerName <server>',
    );
  });

  it('refuses a monitor name in several health sets: lists them and how to choose, exit 2', async () => {
    const { out, err, exitCode } = await run(
      'show',
      'AverageCommandProcessingTimeGt60sMonitor',
      '--json',
    );
    expect(exitCode).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/several health sets/);
    expect(err).toContain(
      '  POP\\AverageCommandProcessingTimeGt60sMonitor (pop-60s: AverageCommandProcessingTimeGt60sMonitor recovery actions)',
    );
    expect(err).toMatch(/^ {2}IMAP\\AverageCommandProcessingTimeGt60sMonitor \(imap-/m);
    expect(err).toContain('Choose with --health-set IMAP|POP ');
    expect(err).toContain(
      'or write the name as IMAP\\AverageCommandProcessingTimeGt60sMonitor or POP\\AverageCommandProcessingTimeGt60sMonitor.',
    );
    // Either way of choosing shows one section.
    for (const args of [
      ['AverageCommandProcessingTimeGt60sMonitor', '--health-set', 'IMAP'],
      ['POP\\AverageCommandProcessingTimeGt60sMonitor'],
    ]) {
      const chosen = await run('show', ...args, '--json');
      expect(chosen.exitCode).toBe(0);
      expect(chosen.err).toBe('');
    }
    const zh = await run('show', 'AverageCommandProcessingTimeGt60sMonitor', '--lang', 'zh-TW');
    expect(zh.err).toMatch(/多個健全設定/);
  });

  it('prints a readable card without --json', async () => {
    const { out } = await run('show', 'PopProxyTestMonitor', '--server', 'CAS01');
    expect(out).toContain('PopProxyTestMonitor recovery actions');
    expect(out).toContain(
      '3. [Destructive (strict approval)] If the probe still fails, restart the CAS.',
    );
    expect(out).toContain("PS> Restart-Computer -ComputerName 'CAS01'");
  });
});

describe('runbooks list', () => {
  it('lists health sets, probes and monitors with their aliases', async () => {
    const { out } = await run('list');
    for (const name of [
      'POP.Protocol',
      'PopSelfTestProbe',
      'PopDeepTestMonitor (also PopTestDeepMonitor)',
      'IMAP.Proxy',
      'RequestsQueuedGt500Monitor',
    ]) {
      expect(out).toContain(name);
    }
    const json = JSON.parse((await run('list', '--json')).out) as { id: string }[];
    expect(json.map((r) => r.id)).toEqual(['generic', 'imap', 'pop']);
  });
});

describe('runbooks validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbooks-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with the reasons', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'id: bad\ntitle: { en: Bad }\nsource: { kind: operator, description: { en: x } }\nsections:\n' +
        '  - id: bad-verify\n    kind: verify\n    title: { en: V }\n    steps:\n' +
        '      - { id: bad.1, kind: check, text: { en: t }, action: Reboot-Everything }\n' +
        '      - { id: bad.1, kind: goto, text: { en: t }, goto: { section: nowhere } }\n',
    );
    const { err, exitCode } = await run('validate', dir);
    expect(exitCode).toBe(1);
    expect(err).toContain(
      `${join(dir, 'bad.yaml')}: sections[0].steps[0].action: unknown action "Reboot-Everything"`,
    );
    expect(err).toContain(
      `${join(dir, 'bad.yaml')}: sections[0].steps[1].id: duplicate step id "bad.1"`,
    );
  });

  it('says OK for a good directory, and refuses a missing one', async () => {
    writeFileSync(
      join(dir, 'ok.yaml'),
      'id: ok\ntitle: { en: Ok }\nsource: { kind: operator, description: { en: x } }\nsections:\n' +
        '  - id: ok-verify\n    kind: verify\n    title: { en: V }\n    steps:\n' +
        '      - { id: ok.1, kind: manual, text: { en: Call the lead. } }\n',
    );
    const ok = await run('validate', dir);
    expect([ok.exitCode, ok.out.trim()]).toEqual([0, `${dir}: OK (1 file, 1 section, 1 steps)`]);
    const missing = await run('validate', join(dir, 'nope'));
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toMatch(/does not exist/);
  });

  it('accepts the shipped directory itself', async () => {
    expect((await run('validate', shippedRunbooksDir())).exitCode).toBe(0);
  });
});

describe('help', () => {
  it('explains each subcommand', async () => {
    const { out } = await run('show', '--help');
    expect(out).toContain(
      'Usage: exchange-chatops runbooks show [options] <monitor|probe|health-set>',
    );
    expect(out).toMatch(/--lang <lang>\s+language of the texts \(choices: "en", "zh-TW"/);
    expect(out).toContain('Examples:');
  });
});

it('finds runbooks/ from the compiled dist/ tree too', () => {
  const root = join(__dirname, '..', '..', '..');
  expect(shippedRunbooksDir(join(root, 'dist', 'src', 'runbooks'))).toBe(join(root, 'runbooks'));
});
