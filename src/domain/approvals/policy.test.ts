import { PLATFORM_RULES } from '../../../adapters/registry';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RULES, parsePolicy } from './policy';

function problems(text: string): string[] {
  const r = parsePolicy(text, PLATFORM_RULES, 'bad.yaml');
  if (r.ok) throw new Error('expected the policy to be rejected');
  expect(r.error.message).toContain('Invalid approval policy bad.yaml');
  return r.error.problems.map((p) => `${p.path}: ${p.reason}`);
}

test('the example policy is valid', () => {
  const text = readFileSync(path.join(__dirname, '../../../examples/approval-policy.yaml'), 'utf8');
  const r = parsePolicy(text, PLATFORM_RULES, 'example');
  expect(r.ok).toBe(true);
  if (r.ok) expect(r.policy.rules).toEqual(DEFAULT_RULES);
});

test('rules default to the issue: operators read, one approver changes, two people destroy', () => {
  const r = parsePolicy('version: 1\nroles: {}\n', PLATFORM_RULES);
  expect(r.ok && r.policy.rules).toEqual(DEFAULT_RULES);
});

test.each([
  ['an empty file', '', ['(file): is empty']],
  [
    'broken YAML',
    'version: 1\nroles:\n  admin: [ {slack: U1AA\n',
    [/^line 4, column 1: YAML: Flow map/, /^line 4, column 1: YAML: Flow sequence/],
  ],
  [
    'a duplicate key',
    'version: 1\nversion: 1\nroles: {}\n',
    ['line 2, column 1: YAML: Map keys must be unique'],
  ],
  ['not a map', '- a\n- b\n', [/^\(top level\): /]],
  ['a wrong version', 'version: 2\nroles: {}\n', ['version: must be 1']],
  ['no roles', 'version: 1\n', [/^roles: /]],
  ['an unknown role', 'version: 1\nroles:\n  boss: []\n', ['roles: Unrecognized key: "boss"']],
  [
    'a bad Slack id',
    'version: 1\nroles:\n  admin:\n    - slack: [U012AB3CD, alice]\n',
    ['roles.admin[0].slack[1]: must be a Slack user id such as U012AB3CD'],
  ],
  [
    'a Slack user id given as a group',
    'version: 1\nroles:\n  operator:\n    - slackGroups: U012AB3CD\n',
    ['roles.operator[0].slackGroups[0]: must be a Slack user-group id such as S0123ABCD'],
  ],
  [
    'a bad Teams id',
    'version: 1\nroles:\n  approver:\n    - teams: bob\n',
    [/^roles\.approver\[0\]\.teams\[0\]: must be a Teams AAD object id/],
  ],
  [
    'a grant without members',
    'version: 1\nroles:\n  approver:\n    - scope: { sites: [HQ] }\n',
    [/^roles\.approver\[0\]: a grant must name at least one member/],
  ],
  [
    'an empty scope',
    'version: 1\nroles:\n  approver:\n    - console: ana\n      scope: {}\n',
    [/^roles\.approver\[0\]\.scope: a scope must name at least one site or server/],
  ],
  [
    'a typo in a grant',
    'version: 1\nroles:\n  approver:\n    - consol: ana\n',
    [/^roles\.approver\[0\]: Unrecognized key: "consol"/, /a grant must name at least one member/],
  ],
  [
    'an unknown person',
    'version: 1\npeople:\n  ana: { console: ana }\nroles:\n  admin:\n    - people: [ana, bo]\n',
    ['roles.admin[0].people[1]: unknown person "bo" (define it under people)'],
  ],
  [
    'one account in two people',
    'version: 1\npeople:\n  ana: { console: ana }\n  bo: { console: [bo, ANA] }\nroles: {}\n',
    ['people.bo.console[1]: ANA already belongs to ana'],
  ],
  [
    'a bad rule',
    'version: 1\nroles: {}\nrules:\n  change: { approval: root, requesterMayApprove: maybe }\n  urgent: {}\n',
    [
      'rules.change.approval: must be none, operator, approver or admin',
      'rules.change.requesterMayApprove: must be true or false',
      'rules: Unrecognized key: "urgent"',
    ],
  ],
  [
    'break glass below the approval role',
    'version: 1\nroles: {}\nrules:\n  destructive: { approval: admin, breakGlass: approver }\n',
    ['rules.destructive.breakGlass: must be at least the approval role (admin)'],
  ],
] as Array<[string, string, Array<string | RegExp>]>)(
  '%s is refused with its path and reason',
  (_label, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      if (typeof e === 'string') expect(found[i]).toBe(e);
      else expect(found[i]).toMatch(e);
    });
  },
);
