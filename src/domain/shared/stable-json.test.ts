import { stableStringify } from './stable-json';

describe('stableStringify', () => {
  test('sorts keys at every level by UTF-16 code unit and drops undefined members', () => {
    const value = {
      requestId: 'APR-3',
      z: [3, { b: 'é', a: null, u: undefined }, 'x'],
      Ä: 1,
      a10: 2,
      a9: true,
      '': 'empty',
      nested: { y: { x: [], w: {} } },
      n: -0.5e-7,
      s: 'line\n"q"\u2028',
    };
    expect(stableStringify(value)).toBe(
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
});
