import { ps51Alert } from '../../../test/fixtures/scom-alerts';
import { CUSTOM_FIELD_LIMITS, checkCustomFields } from './custom-fields';
import { normalizeAlert } from './normalize-alert';

const opts = { timeZone: 'UTC' };

/** An object `levels` deep: `{"a":{"a":...1}}`, built by JSON.parse, which does not recurse. */
const nested = (levels: number): unknown =>
  JSON.parse(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);

function errorsOf(input: Record<string, unknown>) {
  const r = normalizeAlert(input, opts);
  if (r.ok) throw new Error('expected errors');
  return r;
}

describe('custom fields are bounded in depth and size', () => {
  test('32 levels are kept; 33 are refused naming the field', () => {
    expect(normalizeAlert(ps51Alert({ CustomField3: nested(32) }), opts).ok).toBe(true);
    expect(errorsOf(ps51Alert({ CustomField3: nested(33) }))).toEqual({
      ok: false,
      alertId: '6f1c3e9a-2b4d-4e8f-9a1b-3c5d7e9f1a2b',
      errors: [{ field: 'CustomField3', reason: 'is nested deeper than 32 levels' }],
    });
  });

  test('arrays count as levels too; 100,000 deep is refused without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(errorsOf(ps51Alert({ Owner: deep })).errors).toEqual([
      { field: 'Owner', reason: 'is nested deeper than 32 levels' },
    ]);
  });

  test('a deep value in a field the bot reads is refused before the schema walks it', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`) as unknown;
    expect(errorsOf(ps51Alert({ RepeatCount: deep })).errors).toEqual([
      { field: 'RepeatCount', reason: 'is nested deeper than 32 levels' },
    ]);
    expect(errorsOf(ps51Alert({ Id: nested(100_000) }))).toMatchObject({
      alertId: null,
      errors: [{ field: 'Id', reason: 'is nested deeper than 32 levels' }],
    });
  });

  test('one field longer than the limit as JSON is refused; the fields the bot reads are not sized', () => {
    const limit = CUSTOM_FIELD_LIMITS.fieldChars;
    // Two characters of quotes around the string.
    expect(normalizeAlert(ps51Alert({ TicketId: 'x'.repeat(limit - 2) }), opts).ok).toBe(true);
    expect(errorsOf(ps51Alert({ TicketId: 'x'.repeat(limit - 1) })).errors).toEqual([
      { field: 'TicketId', reason: `is longer than ${limit} characters as JSON` },
    ]);
    // Description has a limit of its own (65,536 characters), not this one.
    expect(normalizeAlert(ps51Alert({ Description: 'x'.repeat(65_000) }), opts).ok).toBe(true);
  });

  test('all of them together are bounded as well', () => {
    const big = 'x'.repeat(CUSTOM_FIELD_LIMITS.fieldChars / 2);
    const alert = ps51Alert({
      CustomField5: big,
      CustomField6: big,
      CustomField7: big,
      CustomField8: big,
    });
    expect(errorsOf(alert).errors).toEqual([
      {
        field: '(alert)',
        reason: `the fields the bot does not read are longer than ${CUSTOM_FIELD_LIMITS.totalChars} characters together as JSON`,
      },
    ]);
  });

  test('a cycle from a caller in code ends at the depth limit instead of looping', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(checkCustomFields({ Loop: loop }, new Set(['Loop']))).toEqual([
      { field: 'Loop', reason: 'is nested deeper than 32 levels' },
    ]);
  });
});
