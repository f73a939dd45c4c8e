import { loadCatalog } from '../../infra/files/load-catalog';
import type { RemediationRun } from './run';
import { setStepHold } from './step-hold';
import type { MachineContext } from './machine-types';

const ctx: MachineContext = {
  catalog: loadCatalog(),
  now: new Date('2026-12-01T12:00:00Z'),
  waitSeconds: null,
  rolesOf: () => null,
};
const run = {
  id: 'RUN-INC-1',
  incidentId: 'INC-1',
  version: 4,
  steps: { 'pop.3': { state: 'awaiting-approval', results: [], sectionId: 'pop' } },
  history: [],
  updatedAt: '2026-12-01T11:00:00Z',
} as unknown as RemediationRun;
const hold = { en: 'Held: site-a already runs 2 changes', 'zh-TW': '暫緩' };

test('a hold goes on its step and comes off when the job starts; repeats commit nothing', () => {
  const held = setStepHold(run, 'pop.3', hold, ctx);
  expect(held?.run.version).toBe(5);
  expect(held?.run.steps['pop.3']?.hold).toEqual({ text: hold, since: ctx.now.toISOString() });
  expect(held?.effects).toEqual([]);
  expect(setStepHold(held!.run, 'pop.3', hold, ctx)).toBeNull();
  const cleared = setStepHold(held!.run, 'pop.3', null, ctx);
  expect(cleared?.run.steps['pop.3']?.hold).toBeUndefined();
  expect(setStepHold(cleared!.run, 'pop.3', null, ctx)).toBeNull();
  expect(setStepHold(run, 'nope', hold, ctx)).toBeNull();
});
