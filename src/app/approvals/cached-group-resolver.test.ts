import { createCachedGroupResolver } from './cached-group-resolver';
import type { Actor } from '../../domain/identity/actor';

const ana: Actor = { platform: 'slack', id: 'U012ANA01' };

test('caches look-ups for a short time, per account', async () => {
  let now = 0;
  let calls = 0;
  let groups = ['S0EXADMINS'];
  const resolver = createCachedGroupResolver(
    {
      groupsOf: async () => {
        calls += 1;
        return groups;
      },
    },
    { ttlMs: 60_000, clock: () => new Date(now) },
  );
  expect(await resolver.groupsOf(ana)).toEqual(['S0EXADMINS']);
  groups = [];
  now = 59_000;
  expect(await resolver.groupsOf(ana)).toEqual(['S0EXADMINS']);
  expect(calls).toBe(1);
  now = 60_000;
  expect(await resolver.groupsOf(ana)).toEqual([]);
  expect(await resolver.groupsOf({ platform: 'slack', id: 'U0OTHER' })).toEqual([]);
  expect(calls).toBe(3);
});

test('a failed look-up means no groups and is not cached', async () => {
  let fail = true;
  const errors: unknown[] = [];
  const resolver = createCachedGroupResolver(
    {
      groupsOf: async () => {
        if (fail) throw new Error('slack api: ratelimited');
        return ['S0EXADMINS'];
      },
    },
    { onError: (e) => errors.push(e) },
  );
  expect(await resolver.groupsOf(ana)).toEqual([]);
  expect(errors).toHaveLength(1);
  fail = false;
  expect(await resolver.groupsOf(ana)).toEqual(['S0EXADMINS']);
});
