import { ACTION_IDS, buildScript, buildSessionSetup, quotePs, type ActionOutput } from '.';
import { gatherEvidence, type Read } from '../safety/gather-plan';
import { assessSafety } from '../safety/dag-safety';
import { SAMPLE_PARAMS } from '../../../test/fixtures/action-params';
import { CORE, CORPUS } from '../../../test/fixtures/hostile-values';
import {
  parsePowerShell,
  scanSingleQuoted,
  signature,
  walk,
} from '../../../test/support/powershell-syntax';

/**
 * Proof that no value reaches PowerShell as code: every hostile value in every string parameter
 * of every action is either refused before any text exists, or the script has exactly the shape
 * of the script built from harmless values, with each value one single-quoted literal.
 */
function stringParams(params: Record<string, unknown>): string[] {
  return Object.keys(params).filter((k) => typeof params[k] === 'string');
}

/** Checks one built script against the harmless template; returns the literal values seen. */
function assertSameShape(script: string, template: string): string[] {
  const tree = parsePowerShell(script);
  expect(tree.rootNode.hasError).toBe(false);
  const templateTree = parsePowerShell(template);
  expect(signature(tree.rootNode)).toBe(signature(templateTree.rootNode));
  for (const node of walk(tree.rootNode)) {
    // The templates' only variables are the boolean literals.
    if (node.type === 'variable') {
      expect(['$true', '$false']).toContain(node.text);
      continue;
    }
    // Nothing in a value may become an expression; these occur in no template either.
    expect([
      'sub_expression',
      'array_expression',
      'expandable_string_literal',
      'hash_literal_expression',
    ]).not.toContain(node.type);
  }
  const literals = [...walk(tree.rootNode)].filter((n) => n.type === 'string_literal');
  const scanned = scanSingleQuoted(script);
  // Our scanner applies PowerShell's five-quote rule; tree-sitter only knows "'". Same spans
  // means no Unicode quote ended a literal early.
  expect(scanned.map((s) => [s.start, s.end])).toEqual(
    literals.map((n) => [n.startIndex, n.endIndex]),
  );
  return scanned.map((s) => s.value);
}

describe('hostile values in every string parameter', () => {
  const refused: string[] = [];
  const built: string[] = [];

  for (const id of ACTION_IDS) {
    const sample = SAMPLE_PARAMS[id];
    const template = buildScript(id, sample);
    if (!template.ok) throw new Error(`sample for ${id} refused`);
    for (const key of stringParams(sample)) {
      it(`${id}.${key}`, () => {
        for (const value of CORPUS) {
          const result = buildScript(id, { ...sample, [key]: value });
          if (!result.ok) {
            refused.push(`${id}.${key}`);
            continue;
          }
          built.push(`${id}.${key}`);
          const literals = assertSameShape(result.script, template.script);
          const valid = result.params[key] as string;
          // The value (after validation, e.g. trimming) is one literal, verbatim.
          const expected =
            id === 'invoke-monitoring-probe' && key !== 'server'
              ? `${result.params.healthSet as string}\\${result.params.probe as string}`
              : valid;
          expect(literals).toContain(expected);
        }
      });
    }
  }

  afterAll(() => {
    if (process.env.HOSTILE_STATS) console.log({ refused: refused.length, built: built.length });
    // Both branches were exercised: the corpus is refused mostly, but not vacuously.
    expect(refused.length).toBeGreaterThan(100);
    expect(built.length).toBeGreaterThan(10);
  });
});

describe('hostile values in the other parameters, and smuggled types', () => {
  const SMUGGLED: unknown[] = [
    ...CORE,
    ['EX01', 'EX02'],
    { toString: () => "EX01'; Restart-Computer" },
    1,
    null,
    undefined,
  ];
  it.each(ACTION_IDS)('%s refuses them all', (id) => {
    const sample = SAMPLE_PARAMS[id];
    for (const key of Object.keys(sample)) {
      for (const value of SMUGGLED) {
        if (typeof sample[key] === 'string' && typeof value === 'string') continue; // tested above
        if (value === undefined && key === 'healthSet' && id !== 'invoke-monitoring-probe')
          continue; // optional
        expect(buildScript(id, { ...sample, [key]: value }).ok).toBe(false);
      }
    }
    // No parameter outside the schema gets in, not even a harmless-looking one.
    expect(buildScript(id, { ...sample, command: 'Get-Date' }).ok).toBe(false);
    expect(buildScript(id, 'EX01').ok).toBe(false);
  });
});

describe('quotePs alone (the second fence, without validation)', () => {
  const template = "Get-Item -Path 'x' | ConvertTo-Json -Compress";
  it.each(CORPUS.filter((v) => !v.includes('\u0000')).map((v) => [JSON.stringify(v), v]))(
    '%s',
    (_label, value) => {
      const script = `Get-Item -Path ${quotePs(value)} | ConvertTo-Json -Compress`;
      const literals = assertSameShape(script, template);
      expect(literals).toEqual([value]);
    },
  );

  it('refuses NUL', () => {
    expect(() => quotePs('a\u0000b')).toThrow(/NUL/);
  });

  it('the scanner sees an unescaped Unicode quote end a literal', () => {
    // Without doubling, U+2019 would close the literal: the check above would catch it.
    const naive = "Get-Item -Path 'EX01\u2019; Restart-Computer; \u2019' | ConvertTo-Json";
    expect(scanSingleQuoted(naive).map((s) => s.value)).toEqual(['EX01', '']);
    const naiveTree = parsePowerShell(naive);
    const literals = [...walk(naiveTree.rootNode)].filter((n) => n.type === 'string_literal');
    expect(literals).toHaveLength(1);
  });
});

describe('the session set-up lines', () => {
  it('parse cleanly, the URI one string literal', () => {
    const uri = 'https://ex02.contoso.com/PowerShell/';
    const setup = buildSessionSetup({ connectionUri: uri });
    if (!setup.ok) throw new Error(setup.reason);
    for (const line of setup.lines) {
      const tree = parsePowerShell(line);
      expect(tree.rootNode.hasError).toBe(false);
    }
    expect(scanSingleQuoted(setup.lines[1]!).map((s) => s.value)).toEqual([uri]);
  });
});

/**
 * The DAG safety checks' parameters (beyond the seed): the failover's pre-check seal, the
 * fail-back's server, the Get-ServerComponentState and Get-WinEvent reads, the pre-check's
 * limits, and the server names Exchange's own output hands to the next read.
 */
describe('hostile values in the DAG safety parameters', () => {
  const DIGEST = 'a'.repeat(64);
  const seal = (over: Record<string, unknown> = {}) => ({
    digest: DIGEST,
    healthyTargets: { DB01: 2 },
    ...over,
  });
  const hostileStrings = CORE.filter((v) => v !== 'EX01.contoso.com');

  it('a hostile seal digest, database name, count or extra key is refused before any text exists', () => {
    const failover = (precheck: unknown) =>
      buildScript('move-active-databases-off', { server: 'EX01', precheck });
    const accepted: string[] = [];
    for (const value of hostileStrings) {
      expect(failover(seal({ digest: value })).ok).toBe(false);
      // A database key that is a valid name ("Restart-Computer" once trimmed is one) is data of
      // the seal only: it never reaches the command.
      const r = failover(seal({ healthyTargets: { [value]: 1 } }));
      if (!r.ok) continue;
      accepted.push(value);
      expect(r.command).toBe(
        "Set-MailboxServer -Identity 'EX01' -DatabaseCopyActivationDisabledAndMoveNow $true",
      );
      expect(r.script).not.toContain(value.trim());
    }
    // Quotes, separators, line breaks, `$(…)` and the like are all refused.
    expect(accepted.every((v) => /^[A-Za-z0-9 _.-]+$/.test(v))).toBe(true);
    for (const count of [-1, 1.5, 65, 1e12, Number.NaN, Infinity, '1', null, [1], { n: 1 }]) {
      expect(failover(seal({ healthyTargets: { DB01: count } })).ok).toBe(false);
    }
    for (const key of ['', ' DB01', 'DB01 ', '-DB01', 'DB01;']) {
      expect(failover(seal({ healthyTargets: JSON.parse(`{"${key}": 1}`) })).ok).toBe(false);
    }
    // zod leaves a `__proto__` key out of the record it returns: nothing is polluted, and the
    // seal then counts no database for it.
    const proto = failover(
      seal({ healthyTargets: JSON.parse('{"__proto__": {"polluted": 1}, "DB01": 2}') }),
    );
    if (!proto.ok) throw new Error('refused');
    const kept = proto.params.precheck as { healthyTargets: Record<string, number> };
    expect(Object.keys(kept.healthyTargets)).toEqual(['DB01']);
    expect(Object.getPrototypeOf(kept.healthyTargets)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(failover(seal({ command: 'Restart-Computer' })).ok).toBe(false);
    expect(failover(`${DIGEST}'; Restart-Computer; '`).ok).toBe(false);
    expect(failover([DIGEST]).ok).toBe(false);
  });

  it('a valid seal is never part of the command: the script is the one without it', () => {
    const without = buildScript('move-active-databases-off', { server: 'EX01' });
    // Odd but valid database names (spaces and dashes are allowed in them) stay out as well.
    const withSeal = buildScript('move-active-databases-off', {
      server: 'EX01',
      precheck: seal({ healthyTargets: { 'DB01 -Confirm': 1, 'Mailbox Database 0311': 0 } }),
    });
    if (!without.ok || !withSeal.ok) throw new Error('refused');
    expect(withSeal.script).toBe(without.script);
    expect(withSeal.script).not.toContain('DB01 -Confirm');
    expect(withSeal.script).not.toContain(DIGEST);
  });

  it.each([
    ['move-preferred-databases-back', 'Move-ActiveMailboxDatabase -ActivatePreferredOnServer'],
    ['get-server-component-state', 'Get-ServerComponentState -Identity'],
    ['get-managed-availability-recoveries', 'Invoke-Command -ComputerName'],
    ['get-mailbox-server', 'Get-MailboxServer -Identity'],
  ] as const)('%s: a hostile server is refused; a valid one is one quoted literal', (id, start) => {
    const template = buildScript(id, { server: 'EX01' });
    if (!template.ok) throw new Error('refused');
    let refused = 0;
    for (const value of [...hostileStrings, 'ex01.contoso.com']) {
      const r = buildScript(id, { server: value });
      if (!r.ok) {
        refused++;
        expect(r.errors.map((e) => e.param)).toEqual(['server']);
        continue;
      }
      // What validation lets through (a host name, trimmed) is one single-quoted literal.
      const server = r.params.server as string;
      expect(r.command.startsWith(`${start} ${quotePs(server)}`)).toBe(true);
      expect(assertSameShape(r.script, template.script)).toContain(server);
    }
    expect(refused).toBeGreaterThan(hostileStrings.length - 5);
  });

  it("Get-WinEvent reads only Managed Availability's recovery log, a fixed literal", () => {
    const r = buildScript('get-managed-availability-recoveries', { server: 'EX01' });
    if (!r.ok) throw new Error('refused');
    const literals = scanSingleQuoted(r.command).map((s) => s.value);
    expect(literals).toEqual([
      'EX01',
      'Microsoft-Exchange-ManagedAvailability/RecoveryActionResults',
    ]);
    // The log, the event count and the server are the only values; a job cannot add others.
    for (const extra of [{ logName: 'Security' }, { maxEvents: 100000 }, { filterXPath: '*' }]) {
      expect(
        buildScript('get-managed-availability-recoveries', { server: 'EX01', ...extra }).ok,
      ).toBe(false);
    }
  });

  it("the pre-check's limits take only whole log counts, and are never in the command", () => {
    for (const key of ['copyQueueBelow', 'replayQueueBelow']) {
      for (const value of [...hostileStrings.slice(0, 8), '10', -1, 1.5, 1e9, Number.NaN, null]) {
        expect(buildScript('get-dag-safety', { server: 'EX01', [key]: value }).ok).toBe(false);
      }
      const r = buildScript('get-dag-safety', { server: 'EX01', [key]: 20 });
      if (!r.ok) throw new Error('refused');
      expect(r.command).toBe("Get-MailboxDatabaseCopyStatus -Server 'EX01'");
    }
  });
});

describe('server names from Exchange’s own output', () => {
  it('are validated again before the next read, and a refused read fails the pre-check closed', async () => {
    const hostile = "EX02'; Restart-Computer -Force; '";
    const scripts: string[] = [];
    const copy = (server: string, active: boolean) => ({
      databaseName: 'DB01',
      status: active ? 'Mounted' : 'Healthy',
      mailboxServer: server,
      activeDatabaseCopy: 'EX01',
      copyQueueLength: 0,
      replayQueueLength: 0,
      contentIndexState: 'Healthy',
      activationSuspended: false,
      active,
    });
    // A read as the worker's pool does it: buildScript validates, or nothing runs.
    const read: Read = async (id, params) => {
      const built = buildScript(id, params);
      if (!built.ok) return { ok: false, error: built.errors.map((e) => e.reason).join('; ') };
      scripts.push(built.script);
      const output: ActionOutput =
        id === 'get-mailbox-database-copy-status' || id === 'get-database-copies'
          ? {
              kind: 'copy-status',
              copies: [copy('EX01', true), copy(hostile, false)],
              anyActive: true,
              activeDatabases: ['DB01'],
            }
          : id === 'get-server-component-state'
            ? {
                kind: 'component-state',
                components: [{ server: 'EX01', component: 'ServerWideOffline', state: 'Active' }],
              }
            : id === 'get-mailbox-server'
              ? {
                  kind: 'mailbox-server',
                  server: {
                    name: 'EX01',
                    dag: 'DAG01',
                    autoActivationPolicy: 'Unrestricted',
                    activationDisabledAndMoveNow: false,
                  },
                }
              : { kind: 'ma-recoveries', events: [] };
      return { ok: true, output };
    };
    const now = new Date('2026-11-27T03:00:00Z');
    const { evidence } = await gatherEvidence('EX01', read, now);
    expect(scripts.some((s) => s.includes('Restart-Computer'))).toBe(false);
    expect(evidence.errors.filter((e) => e.includes('Restart-Computer'))).toHaveLength(2);
    // The copy on the unreadable server cannot be judged healthy: no failover to it.
    const verdict = assessSafety(evidence, now).failover;
    expect(verdict.ok).toBe(false);
    expect(verdict.databases[0]?.healthyTargets).toBe(0);
  });
});
