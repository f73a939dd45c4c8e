import { parseSince } from './parse-since';

const now = new Date('2026-11-27T03:00:00.000Z');

test.each([
  ['30m', '2026-11-27T02:30:00.000Z'],
  ['12h', '2026-11-26T15:00:00.000Z'],
  ['7d', '2026-11-20T03:00:00.000Z'],
  ['2026-11-26', '2026-11-26T00:00:00.000Z'],
  ['2026-11-26T22:15:00+01:00', '2026-11-26T21:15:00.000Z'],
  ['yesterday', null],
  ['12', null],
  ['2026-13-40', null],
])('%s → %s', (text, expected) => {
  expect(parseSince(text, now)).toBe(expected);
});
