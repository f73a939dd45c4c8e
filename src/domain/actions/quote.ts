/**
 * PowerShell single-quoted string literals. Inside one nothing expands; the only special
 * characters are the quote characters themselves, escaped by doubling. PowerShell accepts four
 * Unicode single quotes as quote characters too (U+2018, U+2019, U+201A, U+201B), so each of
 * those is doubled as well: otherwise `EX01’; Restart-Computer` would end the literal early.
 */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

export function quotePs(value: string): string {
  if (value.includes('\u0000')) throw new Error('refusing to quote a value containing NUL');
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** PowerShell's boolean literals, for switch-like parameters such as `-ProtocolLogEnabled`. */
export function psBool(value: boolean): string {
  return value ? '$true' : '$false';
}
