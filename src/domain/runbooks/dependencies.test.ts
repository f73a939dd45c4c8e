import { loadCatalog } from '../../infra/files/load-catalog';
import { readRunbookFiles, shippedRunbooksDir } from '../../infra/files/read-runbook-files';
import type { Catalog } from './catalog';
import { catalogFromTexts, type RunbookText } from './catalog-from-texts';
import { dependenciesOf, findDependency } from './dependencies';
import { formatIssue } from './errors';

const catalog: Catalog = loadCatalog();
const ids = (input: Parameters<typeof dependenciesOf>[1]) =>
  dependenciesOf(catalog, input).map((d) => d.id);

const SEED = [
  ['active-directory', 'Active Directory', 'Active Directory'],
  ['authentication', 'Authentication', '驗證'],
  ['mailbox-server-authentication', 'Mailbox Server Authentication', '信箱伺服器驗證'],
  ['information-store', 'Information Store', '資訊儲存庫'],
  ['high-availability', 'High Availability', '高可用性'],
  ['networking', 'Networking', '網路'],
];

describe('the shipped runbooks carry the seed table of dependencies', () => {
  it('defines the six dependencies of the seed, in en and the seed zh-TW, marked as from the seed', () => {
    expect(catalog.dependencies.map((d) => [d.id, d.name.en, d.name['zh-TW']])).toEqual(SEED);
    expect(catalog.dependencies.every((d) => d.origin === 'seed' && d.runbookId === 'pop')).toBe(
      true,
    );
    // The checks' health sets are names from Microsoft's "Exchange 2013 Management Pack Health
    // Sets" list; none there watches authentication.
    expect(Object.fromEntries(catalog.dependencies.map((d) => [d.id, d.checkHealthSets]))).toEqual({
      'active-directory': ['AD'],
      authentication: [],
      'mailbox-server-authentication': [],
      'information-store': ['Store'],
      'high-availability': ['DataProtection'],
      networking: ['Network'],
    });
  });

  it('gives every POP probe the dependencies of the seed table', () => {
    const pop = catalog.probes.filter((p) => p.runbookId === 'pop');
    expect(pop.map((p) => [p.name, p.dependencies.map((d) => d.id), p.dependenciesFrom])).toEqual([
      [
        'PopCTPProbe',
        [
          'active-directory',
          'authentication',
          'mailbox-server-authentication',
          'information-store',
          'high-availability',
          'networking',
        ],
        'seed',
      ],
      ['PopProxyTestProbe', [], 'seed'],
      [
        'PopDeepTestProbe',
        ['active-directory', 'authentication', 'information-store', 'high-availability'],
        'seed',
      ],
      ['PopSelfTestProbe', [], 'seed'],
    ]);
  });

  it('marks the IMAP lists as not from the seed (derived from the IMAP page)', () => {
    const imap = catalog.probes.filter((p) => p.runbookId === 'imap');
    expect(imap.map((p) => [p.name, p.dependencies.length, p.dependenciesFrom])).toEqual([
      ['ImapCTPProbe', 5, 'derived'],
      ['ImapProxyTestProbe', 2, 'derived'],
      ['ImapDeepTestProbe', 4, 'derived'],
      ['ImapSelfTestProbe', 2, 'derived'],
    ]);
  });

  it('finds a monitor’s dependencies through its probe, aliases included', () => {
    expect(ids({ monitor: 'PopCTPMonitor', healthSet: 'POP' })).toHaveLength(6);
    expect(ids({ monitor: 'PopTestDeepMonitor', healthSet: 'POP.Protocol' })).toEqual([
      'active-directory',
      'authentication',
      'information-store',
      'high-availability',
    ]);
    expect(ids({ monitor: 'ImapSelfTestMonitor', healthSet: 'IMAP.Protocol' })).toEqual([
      'active-directory',
      'authentication',
    ]);
    // The same monitor name in POP and IMAP: the health set decides.
    expect(ids({ monitor: 'AverageCommandProcessingTimeGt60sMonitor', healthSet: 'POP' })).toEqual(
      [],
    );
    expect(ids({ monitor: 'AverageCommandProcessingTimeGt60sMonitor', healthSet: 'IMAP' })).toEqual(
      ['active-directory', 'authentication'],
    );
  });

  it('knows nothing for a monitor without a probe, a bare health set or an unknown one', () => {
    expect(ids({ monitor: 'RequestsQueuedGt500Monitor', healthSet: 'IMAP' })).toEqual([]);
    expect(ids({ healthSet: 'POP' })).toEqual([]);
    expect(ids({ monitor: 'OwaDeepTestMonitor', healthSet: 'OWA.Protocol' })).toEqual([]);
  });

  it('looks a dependency up by id, ignoring case', () => {
    expect(findDependency(catalog, 'Active-Directory')?.name['zh-TW']).toBe('Active Directory');
    expect(findDependency(catalog, 'dns')).toBeUndefined();
  });
});

const OPERATOR = (probes: string, extra = '') => `
id: contoso-owa
title: { en: Contoso OWA }
source:
  kind: operator
  description: { en: Our own runbook }
healthSets:
  - name: OWA.Protocol
    verifySection: owa-verify
${extra}
probes:
${probes}
monitors:
  - { name: OwaDeepTestMonitor, healthSet: OWA.Protocol, probe: OwaDeepTestProbe, section: owa-verify }
sections:
  - id: owa-verify
    kind: verify
    title: { en: Verify }
    steps:
      - { id: owa-verify.1, kind: check, text: { en: Identify the server } }
`;

const withOperator = (text: string) => {
  const shipped: RunbookText[] = readRunbookFiles(shippedRunbooksDir());
  return catalogFromTexts([
    { layer: 'shipped', files: shipped },
    { layer: 'operator', files: [{ file: 'ops/owa.yaml', text }] },
  ]);
};

describe('an operator runbook names dependencies', () => {
  it('by the shipped ids', () => {
    const result = withOperator(
      OPERATOR(
        '  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol, dependencies: [active-directory, information-store] }',
      ),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(
      dependenciesOf(result.catalog, { monitor: 'OwaDeepTestMonitor' }).map((d) => d.id),
    ).toEqual(['active-directory', 'information-store']);
  });

  it('by name (the older form): a known English name is the defined dependency', () => {
    const result = withOperator(
      OPERATOR(
        '  - name: OwaDeepTestProbe\n    healthSet: OWA.Protocol\n    dependencies: [{ en: active directory }, { en: Global Catalog, zh-TW: 通用類別目錄 }]',
      ),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    const deps = dependenciesOf(result.catalog, { monitor: 'OwaDeepTestMonitor' });
    expect(deps.map((d) => [d.id, d.origin])).toEqual([
      ['active-directory', 'seed'],
      ['global-catalog', 'derived'],
    ]);
    expect(result.catalog.dependencies.map((d) => d.id)).toContain('global-catalog');
  });

  it('defines its own, with checks', () => {
    const result = withOperator(
      OPERATOR(
        '  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol, dependencies: [dns] }',
        'dependencies:\n  - { id: dns, name: { en: DNS, zh-TW: DNS }, origin: derived, checkHealthSets: [Network] }',
      ),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(findDependency(result.catalog, 'dns')).toMatchObject({
      checkHealthSets: ['Network'],
      runbookId: 'contoso-owa',
    });
  });

  it('refuses an unknown id and a duplicate definition', () => {
    const unknown = withOperator(
      OPERATOR('  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol, dependencies: [dns] }'),
    );
    expect(unknown.ok ? [] : unknown.issues.map(formatIssue)).toEqual([
      'ops/owa.yaml: probes[0].dependencies[0]: no dependency "dns" (define it under dependencies:)',
    ]);
    const twice = withOperator(
      OPERATOR(
        '  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol }',
        'dependencies:\n  - { id: dns, name: { en: DNS }, origin: derived }\n  - { id: dns, name: { en: DNS }, origin: derived }',
      ),
    );
    expect(twice.ok ? [] : twice.issues.map((i) => i.reason)).toEqual([
      'duplicate dependency "dns" (first at dependencies[0].id)',
    ]);
  });

  it('refuses a name that is not an id', () => {
    const result = withOperator(
      OPERATOR(
        '  - { name: OwaDeepTestProbe, healthSet: OWA.Protocol, dependencies: [Active Directory] }',
      ),
    );
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'ops/owa.yaml: probes[0].dependencies[0]: must be a dependency id such as active-directory (lower-case letters, digits, "." or "-")',
    ]);
  });
});
