import { findStep, type StepDef } from './catalog';
import { evaluateConditions } from './evaluate-conditions';
import { loadCatalog } from '../../infra/files/load-catalog';

const catalog = loadCatalog();
const step = (section: string, id: string): StepDef => {
  const s = catalog.sections.get(section);
  const found = s && findStep(s, id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

describe('evaluateConditions', () => {
  it('runs the failover only when the probe still fails', () => {
    const failover = step('pop-deep', 'pop-deep.3').when;
    const safe = { 'pop-deep.precheck': 'succeeded' } as const;
    expect(evaluateConditions(failover, { 'pop-deep.2': 'failed', ...safe }, null)).toBe('run');
    // Beyond the seed: not without a passing pre-check.
    expect(
      evaluateConditions(failover, { 'pop-deep.2': 'failed', 'pop-deep.precheck': 'failed' }, null),
    ).toBe('skip');
    expect(evaluateConditions(failover, { 'pop-deep.2': 'succeeded' }, null)).toBe('skip');
    expect(evaluateConditions(failover, {}, null)).toBe('skip');
  });

  it('treats "done" as ran, and a skipped step as not run', () => {
    const after = step('pop-ctp', 'pop-ctp.6').when;
    expect(evaluateConditions(after, { 'pop-ctp.3.1': 'done' }, null)).toBe('run');
    expect(evaluateConditions(after, { 'pop-ctp.3.1': 'skipped' }, null)).toBe('skip');
  });

  it('decides role conditions by the inventory, or asks', () => {
    const failBack = step('pop-60s', 'pop-60s.5').when;
    const ran = { 'pop-60s.4': 'succeeded', 'pop-60s.3.1': 'done' } as const;
    expect(evaluateConditions(failBack, ran, ['mailbox'])).toBe('run');
    expect(evaluateConditions(failBack, ran, ['client-access'])).toBe('skip');
    expect(evaluateConditions(failBack, ran, null)).toBe('ask-role');
    // A condition that already fails wins over asking.
    expect(evaluateConditions(failBack, { 'pop-60s.4': 'failed' }, null)).toBe('skip');
    expect(evaluateConditions([], {}, null)).toBe('run');
  });
});
