import { PLATFORM_RULES } from '../registry';
import { parsePolicy } from '../../src/domain/approvals/policy';
import { DEMO_POLICY } from '../../src/cli/commands/demo-policy';
import { consoleUsers } from './users';

test('the demo policy gives the console picker one user per role, plus a guest viewer', () => {
  const r = parsePolicy(DEMO_POLICY, PLATFORM_RULES, 'demo policy');
  if (!r.ok) throw r.error;
  expect(consoleUsers(r.policy)).toEqual([
    { id: 'ana', role: 'admin' },
    { id: 'bob', role: 'approver' },
    { id: 'carol', role: 'approver' },
    { id: 'alice', role: 'operator' },
    { id: 'guest', role: 'viewer' },
  ]);
});
