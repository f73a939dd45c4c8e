import { ACTION_IDS, buildScript, buildSessionSetup, quotePs } from '.';
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
