import { identityFromClaims } from './identity';

test('the account: upn first, then a verified email, then an address-like preferred_username', () => {
  expect(
    identityFromClaims({ upn: 'Ana@Contoso.com', email: 'ana.smith@contoso.com', name: 'Ana' }),
  ).toEqual({
    ok: true,
    identity: { id: 'ana@contoso.com', displayName: 'Ana', groups: [] },
    groupsOverage: false,
  });
  expect(identityFromClaims({ email: 'Bob@Contoso.com' })).toMatchObject({
    identity: { id: 'bob@contoso.com', displayName: 'bob@contoso.com' },
  });
  // An email the provider says is not verified is nobody's.
  expect(
    identityFromClaims({
      email: 'ceo@contoso.com',
      email_verified: false,
      preferred_username: 'mallory@fabrikam.com',
    }),
  ).toMatchObject({ identity: { id: 'mallory@fabrikam.com' } });
  expect(identityFromClaims({ preferred_username: 'bob', name: 'Bob' })).toEqual({
    ok: false,
    reason: 'no-identity',
  });
});

test('groups: lower-cased, once each, from the configured claim', () => {
  const claims = {
    email: 'a@contoso.com',
    groups: ['Exchange-Approvers', 'exchange-approvers', 'F0C2E7A4-1111-2222-3333-444455556666', 7],
    roles: 'Console.Approver',
  };
  expect(identityFromClaims(claims)).toMatchObject({
    identity: { groups: ['exchange-approvers', 'f0c2e7a4-1111-2222-3333-444455556666'] },
  });
  expect(identityFromClaims(claims, 'roles')).toMatchObject({
    identity: { groups: ['console.approver'] },
  });
});

test('an Entra ID group overage (too many groups) is reported, and gives no groups', () => {
  expect(
    identityFromClaims({
      email: 'a@contoso.com',
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/…' } },
    }),
  ).toMatchObject({ ok: true, identity: { groups: [] }, groupsOverage: true });
});
