import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogFromTexts, type RunbookText } from './catalog-from-texts';
import { formatIssue, RunbookCatalogError, type RunbookIssue } from './errors';
import { loadCatalog } from '../../infra/files/load-catalog';
import { parseRunbookFile } from './parse-runbook-file';
import { readRunbookFiles, shippedRunbooksDir } from '../../infra/files/read-runbook-files';

/** A small valid operator runbook; tests break one thing at a time. */
const VALID = `
id: contoso
title: { en: Contoso OWA }
source:
  kind: operator
  description: { en: Our own runbook }
healthSets:
  - name: OWA.Protocol
    verifySection: owa-verify
sections:
  - id: owa-verify
    kind: verify
    title: { en: Verify }
    steps:
      - id: owa-verify.1
        kind: check
        text: { en: Get the health set }
        action: get-server-health
        params:
          server: { from: server }
          healthSet: { from: healthSet }
        expect: healthy
      - id: owa-verify.2
        kind: manual
        text: { en: Escalate }
        when: { step: owa-verify.1, outcome: failed }
`;

const issuesOf = (text: string, file = 'ops/owa.yaml'): RunbookIssue[] => {
  const r = parseRunbookFile(file, text);
  return r.ok ? [] : r.issues;
};

const shipped = (): RunbookText[] => readRunbookFiles(shippedRunbooksDir());

const withOperator = (files: RunbookText[]) =>
  catalogFromTexts([
    { layer: 'shipped', files: shipped() },
    { layer: 'operator', files },
  ]);

describe('a bad runbook file is refused with its file, the path inside it and the reason', () => {
  it('accepts the valid example', () => {
    expect(issuesOf(VALID)).toEqual([]);
  });

  it('broken YAML: line and column', () => {
    const issues = issuesOf('id: x\nsections: [\n  - id: a\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({
      file: 'ops/owa.yaml',
      reason: expect.stringMatching(/^broken YAML/),
    });
    expect(issues[0]?.path).toMatch(/^\(line \d+, column \d+\)$/);
  });

  it('duplicate keys are broken YAML too', () => {
    expect(issuesOf(`${VALID}\nid: again\n`)[0]?.reason).toMatch(/broken YAML.*unique/i);
  });

  it('unknown kind', () => {
    const issues = issuesOf(VALID.replace('kind: manual', 'kind: reboot'));
    expect(issues.map(formatIssue)).toEqual([
      'ops/owa.yaml: sections[0].steps[1].kind: must be one of check, change, destructive, wait, manual, goto',
    ]);
  });

  it('an action that does not exist', () => {
    const issues = issuesOf(VALID.replace('action: get-server-health', 'action: format-disk'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'sections[0].steps[0].action',
      reason: expect.stringMatching(/^unknown action "format-disk" \(known: get-server-health,/),
    });
  });

  it('bindings that do not fit the action’s parameters', () => {
    const typo = issuesOf(VALID.replace('healthSet: { from: healthSet }', 'healthset: POP'));
    expect(typo.map((i) => i.path)).toContain('sections[0].steps[0].params');
    expect(typo.map((i) => i.reason).join()).toMatch(/does not fit action "get-server-health"/);

    const service = issuesOf(
      VALID.replace(
        /action: get-server-health\n\s+params:\n\s+server: \{ from: server \}\n\s+healthSet: \{ from: healthSet \}\n\s+expect: healthy/,
        'action: restart-service\n        params: { server: { from: server }, service: { byRole: { client-access: MSExchangePOP3, mailbox: W3SVC } } }',
      )
        .replace('kind: check', 'kind: change')
        .replace(/\n\s+when: .*\n/, '\n'),
    );
    expect(service.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^ops\/owa\.yaml: sections\[0\]\.steps\[0\]\.params\.service: does not fit action "restart-service" \(role mailbox\): must be one of MSExchangePOP3/,
      ),
    ]);

    const wrongSource = issuesOf(
      VALID.replace('healthSet: { from: healthSet }', 'healthSet: { from: server }'),
    );
    expect(wrongSource[0]?.path).toBe('sections[0].steps[0].params.healthSet');
  });

  it('a check that would change something', () => {
    const issues = issuesOf(
      VALID.replace('action: get-server-health', 'action: restart-server').replace(
        '          healthSet: { from: healthSet }\n',
        '',
      ),
    );
    expect(issues.map((i) => i.reason)).toContain(
      'kind "check" needs a read action, but "restart-server" is destructive',
    );
  });

  it('duplicate ids, in one file and across files', () => {
    const inFile = issuesOf(VALID.replace('id: owa-verify.2', 'id: owa-verify.1'));
    expect(inFile.map(formatIssue)).toContainEqual(
      expect.stringMatching(/sections\[0\]\.steps\[1\]\.id: duplicate step id "owa-verify\.1"/),
    );
    const across = withOperator([
      { file: 'ops/a.yaml', text: VALID },
      { file: 'ops/b.yaml', text: VALID.replace('id: contoso', 'id: contoso-b') },
    ]);
    expect(across.ok).toBe(false);
    if (!across.ok) {
      expect(across.issues.map(formatIssue)).toContainEqual(
        'ops/b.yaml: sections[0].id: duplicate section id "owa-verify" (also in ops/a.yaml at sections[0].id)',
      );
    }
  });

  it('a goto to nowhere', () => {
    const text = VALID.replace(
      'kind: manual\n        text: { en: Escalate }',
      'kind: goto\n        text: { en: Follow the other section }\n        goto: { section: owa-recover }',
    );
    expect(issuesOf(text)).toEqual([]);
    const r = withOperator([{ file: 'ops/owa.yaml', text }]);
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual([
      'ops/owa.yaml: sections[0].steps[1].goto.section: goto to nowhere: no section "owa-recover"',
    ]);
  });

  it('a condition on a step that has not run yet, or that has no result', () => {
    const later = issuesOf(
      VALID.replace('step: owa-verify.1, outcome: failed', 'step: owa-verify.3, outcome: failed'),
    );
    expect(later.map(formatIssue)).toEqual([
      'ops/owa.yaml: sections[0].steps[1].when.step: no earlier step "owa-verify.3" in this section',
    ]);
    const noResult = issuesOf(VALID.replace('        expect: healthy\n', ''));
    expect(noResult[0]?.reason).toBe(
      'step "owa-verify.1" has no expected result, so it cannot have failed',
    );
  });

  it('a misspelt key is an error, not ignored', () => {
    expect(
      issuesOf(VALID.replace('expect: healthy', 'expects: healthy')).map((i) => i.path),
    ).toEqual(['sections[0].steps[0]']);
  });

  it('loadCatalog throws one error listing every problem, file names included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbooks-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), VALID.replace('kind: manual', 'kind: reboot'));
      writeFileSync(join(dir, 'b.yaml'), 'id: [');
      writeFileSync(join(dir, 'notes.txt'), 'not a runbook');
      expect(() => loadCatalog({ operatorDir: dir })).toThrow(RunbookCatalogError);
      try {
        loadCatalog({ operatorDir: dir });
      } catch (err) {
        const message = (err as Error).message;
        expect(message).toMatch(/^Invalid runbooks \(\d+ problems\):/);
        expect(message).toContain(`${join(dir, 'a.yaml')}: sections[0].steps[1].kind:`);
        expect(message).toContain(`${join(dir, 'b.yaml')}: (line`);
        expect(message).not.toContain('notes.txt');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an operator directory', () => {
  it('adds a health set', () => {
    const r = withOperator([{ file: 'ops/owa.yaml', text: VALID }]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.catalog.healthSets.map((h) => h.name)).toContain('OWA.Protocol');
      expect(r.catalog.sections.get('owa-verify')?.layer).toBe('operator');
    }
  });

  it('overrides a shipped section by id', () => {
    const override = `
id: contoso-pop
title: { en: Contoso changes to POP }
source: { kind: operator, description: { en: Call the on-call lead before escalating } }
sections:
  - id: pop-proxy
    kind: recovery
    title: { en: PopProxyTestMonitor (Contoso) }
    steps:
      - id: contoso-pop-proxy.1
        kind: manual
        text: { en: Call the messaging on-call lead. }
`;
    const r = withOperator([{ file: 'ops/pop.yaml', text: override }]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const s = r.catalog.sections.get('pop-proxy');
      expect(s?.title.en).toBe('PopProxyTestMonitor (Contoso)');
      expect(s?.steps.map((x) => x.id)).toEqual(['contoso-pop-proxy.1']);
      expect(s?.file).toBe('ops/pop.yaml');
      // The monitor still points at the section id, now the operator's.
      expect(r.catalog.monitors.find((m) => m.name === 'PopProxyTestMonitor')?.section).toBe(
        'pop-proxy',
      );
    }
  });
});
