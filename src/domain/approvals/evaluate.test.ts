import { PLATFORM_RULES } from '../../../adapters/registry';
import type { Risk } from '../actions/registry';
import {
  evaluateApproval,
  evaluateCancel,
  evaluateReject,
  evaluateRequest,
  roleFor,
} from './evaluate';
import type { Actor, Principal } from '../identity/actor';
import { parsePolicy, type Policy } from './policy';
import type { Role } from './roles';

const POLICY = `
version: 1
people:
  adam:
    console: adam
    slack: U0ADAM001
roles:
  viewer:
    - console: vic
  operator:
    - console: olga
    - slackGroups: S0ONCALL1
    - console: olga-b
      scope: { sites: [Branch] }
  approver:
    - console: [alice, ann]
    - teams: [bob@contoso.com, 3f2504e0-4f89-11d3-9a0c-0305e82c3301]
    - console: sam
      scope:
        sites: [Branch]
        servers: [EX10.contoso.com]
    - console: alice-b
      scope: { sites: [Branch] }
  admin:
    - people: adam
    - console: adam-b
      scope: { sites: [Branch] }
`;

function load(text = POLICY): Policy {
  const r = parsePolicy(text, PLATFORM_RULES, 'test.yaml');
  if (!r.ok) throw r.error;
  return r.policy;
}

const policy = load();
// Console accounts carry their login as their directory identity (the console platform's resolver).
const con = (id: string): Principal => ({ platform: 'console', id, groups: [], identity: id });
const HQ = { server: 'EX01.contoso.com', site: 'HQ' };

/** One person per role; the "other" requester is a different operator. */
const BY_ROLE: Record<Role, Principal> = {
  viewer: con('vic'),
  operator: con('olga'),
  approver: con('alice'),
  admin: con('adam'),
};
const OTHER: Actor = { platform: 'console', id: 'olga2' };
const RISKS: Risk[] = ['read', 'change', 'destructive'];

type Row = [Role, Risk, boolean, boolean];
const approvalMatrix: Row[] = [];
for (const role of ['viewer', 'operator', 'approver', 'admin'] as Role[]) {
  for (const risk of RISKS) {
    for (const own of [false, true]) {
      let allowed: boolean;
      if (risk === 'read')
        allowed = true; // needs no approval at all
      else if (role === 'viewer' || role === 'operator') allowed = false;
      else if (risk === 'change') allowed = true;
      else allowed = !own; // destructive: two-person rule (break glass tested separately)
      approvalMatrix.push([role, risk, own, allowed]);
    }
  }
}

describe('approval matrix (role x risk x requester-is-approver), unscoped', () => {
  test.each(approvalMatrix)(
    '%s approving a %s step (own request: %s) → allowed %s',
    (role, risk, own, allowed) => {
      const principal = BY_ROLE[role];
      const d = evaluateApproval(policy, {
        principal,
        risk,
        target: HQ,
        requester: own ? principal : OTHER,
      });
      expect(d.allowed).toBe(allowed);
      expect(d.role).toBe(role);
      expect(d.reason.length).toBeGreaterThan(5);
    },
  );
});

describe('full matrix: role x risk x requester-is-approver x scope', () => {
  // Each role held only for site Branch; out of scope, the same person is a viewer.
  const SCOPED: Record<Role, Principal> = {
    viewer: con('vic'),
    operator: con('olga-b'),
    approver: con('alice-b'),
    admin: con('adam-b'),
  };
  const BRANCH = { server: 'EX12.contoso.com', site: 'Branch' };
  const rows: Array<[Role, Risk, boolean, string, boolean, boolean]> = [];
  for (const [role, risk, own, allowedInScope] of approvalMatrix) {
    const mayAsk = role !== 'viewer';
    rows.push([role, risk, own, 'Branch', mayAsk, allowedInScope]);
    rows.push([role, risk, own, 'HQ', false, risk === 'read']);
  }
  test.each(rows)(
    '%s, %s step, own request %s, server in %s → may ask %s, may approve %s',
    (role, risk, own, site, mayAsk, mayApprove) => {
      const principal = SCOPED[role];
      const target = site === 'Branch' ? BRANCH : HQ;
      expect(evaluateRequest(policy, { principal, risk, target }).allowed).toBe(mayAsk);
      const d = evaluateApproval(policy, {
        principal,
        risk,
        target,
        requester: own ? principal : OTHER,
      });
      expect(d.allowed).toBe(mayApprove);
      expect(d.role).toBe(site === 'Branch' ? role : 'viewer');
    },
  );
});

describe('request matrix (role x risk)', () => {
  const rows: Array<[Role, Risk, boolean]> = [];
  for (const role of ['viewer', 'operator', 'approver', 'admin'] as Role[])
    for (const risk of RISKS) rows.push([role, risk, role !== 'viewer']);
  test.each(rows)('%s asking for a %s step → allowed %s', (role, risk, allowed) => {
    const d = evaluateRequest(policy, { principal: BY_ROLE[role], risk, target: HQ });
    expect(d.allowed).toBe(allowed);
    if (!allowed) expect(d.reason).toMatch(/You are a viewer.*need an operator or higher/);
  });
});

describe('scope', () => {
  const sam = con('sam');
  test.each([
    ['a server of the scoped site', { server: 'EX12.contoso.com', site: 'Branch' }, 'approver'],
    ['a scoped server by short name', { server: 'EX10', site: null }, 'approver'],
    ['a scoped server by FQDN, any case', { server: 'ex10.CONTOSO.com', site: 'HQ' }, 'approver'],
    ['another site', HQ, 'viewer'],
    ['no server at all', { server: null, site: null }, 'viewer'],
  ] as const)('a site approver on %s is %s', (_label, target, role) => {
    expect(roleFor(policy, sam, target)).toBe(role);
    const d = evaluateApproval(policy, {
      principal: sam,
      risk: 'change',
      target,
      requester: OTHER,
    });
    expect(d.allowed).toBe(role === 'approver');
    if (!d.allowed) expect(d.reason).toMatch(/^You are a viewer[ ;]/);
  });
  test('scope x risk x own request', () => {
    const branch = { server: 'EX12.contoso.com', site: 'Branch' };
    expect(
      evaluateApproval(policy, {
        principal: sam,
        risk: 'destructive',
        target: branch,
        requester: OTHER,
      }).allowed,
    ).toBe(true);
    expect(
      evaluateApproval(policy, {
        principal: sam,
        risk: 'destructive',
        target: branch,
        requester: sam,
      }).allowed,
    ).toBe(false);
    expect(
      evaluateApproval(policy, {
        principal: sam,
        risk: 'destructive',
        target: HQ,
        requester: OTHER,
      }).allowed,
    ).toBe(false);
  });
});

describe('identities', () => {
  test('unknown users are viewers', () => {
    expect(roleFor(policy, con('nobody'), HQ)).toBe('viewer');
    expect(roleFor(policy, { platform: 'slack', id: 'U0STRANGER', groups: [] }, HQ)).toBe('viewer');
  });
  test('Slack user groups resolved by the adapter grant their role', () => {
    expect(roleFor(policy, { platform: 'slack', id: 'U0X', groups: ['S0ONCALL1'] }, HQ)).toBe(
      'operator',
    );
  });
  test('Teams by UPN or AAD object id, case-insensitive', () => {
    expect(
      roleFor(policy, { platform: 'teams', id: 'aad-1', upn: 'Bob@Contoso.com', groups: [] }, HQ),
    ).toBe('approver');
    expect(
      roleFor(
        policy,
        { platform: 'teams', id: '3F2504E0-4F89-11D3-9A0C-0305E82C3301', groups: [] },
        HQ,
      ),
    ).toBe('approver');
    expect(roleFor(policy, { platform: 'console', id: 'bob@contoso.com', groups: [] }, HQ)).toBe(
      'viewer',
    );
  });
  test('the two-person rule counts people, not accounts', () => {
    const adamSlack: Principal = { platform: 'slack', id: 'U0ADAM001', groups: [] };
    const d = evaluateApproval(policy, {
      principal: adamSlack,
      risk: 'destructive',
      target: HQ,
      requester: con('adam'),
    });
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('break glass');
  });
});

describe('break glass', () => {
  const adam = con('adam');
  test('an admin approving their own destructive step needs a written reason', () => {
    const without = evaluateApproval(policy, {
      principal: adam,
      risk: 'destructive',
      target: HQ,
      requester: adam,
    });
    expect(without).toMatchObject({ allowed: false });
    expect(without.reason).toContain('written reason (at least 10 characters)');
    const short = evaluateApproval(policy, {
      principal: adam,
      risk: 'destructive',
      target: HQ,
      requester: adam,
      breakGlassReason: ' ok  ',
    });
    expect(short.allowed).toBe(false);
    const withReason = evaluateApproval(policy, {
      principal: adam,
      risk: 'destructive',
      target: HQ,
      requester: adam,
      breakGlassReason: 'Nobody else on call, POP down for the whole site',
    });
    expect(withReason).toMatchObject({ allowed: true, breakGlass: true });
  });
  test('an approver may not break glass', () => {
    const alice = con('alice');
    const d = evaluateApproval(policy, {
      principal: alice,
      risk: 'destructive',
      target: HQ,
      requester: alice,
      breakGlassReason: 'a very good reason indeed',
    });
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('Two-person rule');
  });
  test('rules are configurable: breakGlass none forbids it', () => {
    const strict = load(`${POLICY}\nrules:\n  destructive: { breakGlass: none }\n`);
    const d = evaluateApproval(strict, {
      principal: adam,
      risk: 'destructive',
      target: HQ,
      requester: adam,
      breakGlassReason: 'a very good reason indeed',
    });
    expect(d.allowed).toBe(false);
  });
});

test('rejecting needs the approval role and a reason; cancelling only the requester', () => {
  expect(
    evaluateReject(policy, { principal: con('olga'), risk: 'change', target: HQ, reason: 'no' })
      .allowed,
  ).toBe(false);
  expect(
    evaluateReject(policy, { principal: con('alice'), risk: 'change', target: HQ, reason: '  ' })
      .reason,
  ).toBe('A rejection needs a reason.');
  expect(
    evaluateReject(policy, {
      principal: con('alice'),
      risk: 'change',
      target: HQ,
      reason: 'wrong server',
    }).allowed,
  ).toBe(true);
  expect(evaluateCancel(policy, { actor: con('olga'), requester: con('olga') }).allowed).toBe(true);
  const other = evaluateCancel(policy, { actor: con('adam'), requester: con('olga') });
  expect(other.allowed).toBe(false);
  expect(other.reason).toContain('Only console:olga');
});

describe('the two-person rule compares people by directory identity', () => {
  const bobSlack: Principal = {
    platform: 'slack',
    id: 'U0BOB0001',
    groups: [],
    identity: 'bob@contoso.com',
  };
  const bobTeams: Principal = {
    platform: 'teams',
    id: 'aad-bob',
    upn: 'Bob@Contoso.com',
    groups: [],
    identity: 'BOB@contoso.com',
  };
  const destructive = (principal: Principal, requester: Actor & { identity?: string | null }) =>
    evaluateApproval(policy, { principal, risk: 'destructive', target: HQ, requester });

  it('one identity on two platforms is one person, case-insensitively', () => {
    const d = destructive(bobTeams, bobSlack);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(
      /^Two-person rule: a destructive step must be approved by someone other/,
    );
    expect(destructive(bobTeams, { ...bobSlack, identity: 'rob@contoso.com' }).allowed).toBe(true);
  });

  it('an account without an identity cannot approve under the rule, unless people lists it', () => {
    const d = destructive({ ...bobTeams, identity: null }, con('olga'));
    expect(d).toMatchObject({ allowed: false });
    expect(d.reason).toMatch(/I cannot tell who is behind your teams account/);
    // adam (admin) is in people: his console account approves without a directory identity.
    expect(destructive({ ...con('adam'), identity: null }, con('olga')).allowed).toBe(true);
    // A change step (requester may approve) does not need it.
    expect(
      evaluateApproval(policy, {
        principal: { ...bobTeams, identity: null },
        risk: 'change',
        target: HQ,
        requester: con('olga'),
      }).allowed,
    ).toBe(true);
  });

  it('people still links what the directory cannot', () => {
    const adamSlack: Principal = { platform: 'slack', id: 'U0ADAM001', groups: [], identity: null };
    const d = destructive(con('adam'), adamSlack);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/break glass/);
    expect(d).toMatchObject({ breakGlassOpen: true });
  });
});
