import { stableStringify } from './stable-json';
import { TRICKY_VALUE } from '../../../test/fixtures/tricky-json';

describe('stableStringify', () => {
  test('sorts keys at every level by UTF-16 code unit and drops undefined members', () => {
    expect(stableStringify(TRICKY_VALUE)).toBe(
      '{"":"empty","a10":2,"a9":true,"n":-5e-8,"nested":{"y":{"w":{},"x":[]}},"requestId":"APR-3",' +
        '"s":"line\\n\\"q\\"\u2028","z":[3,{"a":null,"b":"é"},"x"],"Ä":1}',
    );
  });

  test('key order of the input does not matter', () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: 3 } })).toBe(
      stableStringify({ a: { c: 3, d: 2 }, b: 1 }),
    );
  });

  test('what JSON cannot hold reads as null; a Date is an object without own keys', () => {
    expect(
      stableStringify([undefined, () => 1, NaN, Infinity, new Date(0), { t: undefined }]),
    ).toBe('[null,null,null,null,{},{}]');
    expect(stableStringify(undefined)).toBe('null');
    expect(stableStringify('x')).toBe('"x"');
    expect(stableStringify(null)).toBe('null');
  });

  test('a value nested 100,000 deep does not overflow the stack', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'{"a":'.repeat(depth)}[1]${'}'.repeat(depth)}`) as unknown;
    expect(stableStringify(deep)).toBe(`${'{"a":'.repeat(depth)}[1]${'}'.repeat(depth)}`);
  });

  test('a cycle throws instead of looping; a shared value that is no cycle is fine', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    expect(() => stableStringify(loop)).toThrow(/cycle/);
    const shared = { x: 1 };
    expect(stableStringify({ b: shared, a: [shared, shared] })).toBe(
      '{"a":[{"x":1},{"x":1}],"b":{"x":1}}',
    );
  });

  test('a hole in a sparse array reads as null, as in JSON', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    expect(stableStringify([, 1])).toBe('[null,1]');
  });
});
