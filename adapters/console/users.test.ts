import { readFileSync } from 'node:fs';
import { parsePolicy } from '../../src/approvals/policy';
import { consoleUsers } from './users';

test('the demo policy gives the console picker one user per role, plus a guest viewer', () => {
  const r = parsePolicy(readFileSync('examples/demo-policy.yaml', 'utf8'), 'demo-policy.yaml');
  if (!r.ok) throw r.error;
  expect(consoleUsers(r.policy)).toEqual([
    { id: 'ana', role: 'admin' },
    { id: 'bob', role: 'approver' },
    { id: 'carol', role: 'approver' },
    { id: 'alice', role: 'operator' },
    { id: 'guest', role: 'viewer' },
  ]);
});
