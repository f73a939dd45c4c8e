import { parse } from 'yaml';
import { parseInventory } from './inventory';

const inventory = (yaml: string) => parseInventory(parse(yaml));

describe('parseInventory', () => {
  test("reads roles as Exchange spells them and holds the runbooks' ids", () => {
    const result = inventory(`
sites:
  site-a:
    servers:
      - { name: EX01.contoso.com, roles: [Mailbox, ClientAccess] }
      - { name: EX02, roles: [ClientAccess] }
      - { name: EX03 }
`);
    expect(result).toEqual({
      ok: true,
      inventory: {
        sites: ['site-a'],
        servers: [
          {
            name: 'EX01',
            fqdn: 'ex01.contoso.com',
            site: 'site-a',
            roles: ['mailbox', 'client-access'],
          },
          { name: 'EX02', fqdn: null, site: 'site-a', roles: ['client-access'] },
          { name: 'EX03', fqdn: null, site: 'site-a', roles: ['mailbox'] },
        ],
      },
    });
  });

  test('refuses a role the file format does not know, and an empty list', () => {
    const result = inventory(`
sites:
  site-a:
    servers:
      - { name: EX01, roles: [Hub] }
      - { name: EX02, roles: [] }
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^sites\.site-a\.servers\.0\.roles\.0: /);
    expect(result.errors[1]).toMatch(/^sites\.site-a\.servers\.1\.roles: /);
  });
});
