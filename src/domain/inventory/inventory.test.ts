import { parse } from 'yaml';
import { dagFor, parseInventory } from './inventory';

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

describe('a server’s DAG', () => {
  test('is read in lower case when given, absent otherwise', () => {
    const result = inventory(`
sites:
  site-a:
    servers:
      - { name: EX01, dag: DAG01 }
      - { name: EX02 }
`);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.inventory.servers.map((s) => s.dag)).toEqual(['dag01', undefined]);
    expect(dagFor(result.inventory, 'ex01.contoso.com')).toBe('dag01');
    expect(dagFor(result.inventory, 'EX02')).toBeNull();
    expect(dagFor(result.inventory, 'EX99')).toBeNull();
    expect(dagFor(null, 'EX01')).toBeNull();
  });

  test('refuses a name Exchange would not take', () => {
    const result = inventory(`
sites:
  site-a:
    servers:
      - { name: EX01, dag: "dag 01 with a very long name" }
`);
    expect(result.ok ? [] : result.errors).toEqual([
      'sites.site-a.servers.0.dag: a DAG name uses letters, digits and "-" (at most 15)',
    ]);
  });
});
