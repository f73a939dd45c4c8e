/**
 * The demo's approval policy: console users only, one per role, so the two-person rule can be
 * tried alone (ask as alice, approve as bob; alice cannot approve her own destructive step).
 */
export const DEMO_POLICY = `# exchange-chatops demo policy (console users only). See docs/approvals.md.
version: 1
roles:
  admin:
    - console: [ana]
  approver:
    - console: [bob, carol]
  operator:
    - console: [alice]
rules:
  read: { request: operator, approval: none }
  change: { request: operator, approval: approver, requesterMayApprove: true }
  destructive:
    request: operator
    approval: approver
    requesterMayApprove: false
    breakGlass: admin
`;
