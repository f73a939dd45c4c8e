import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPowerShellParser, syntaxErrors } from './support/powershell-parser';

const SCRIPT = path.resolve(__dirname, '../scripts/scom/Send-ScomAlert.ps1');

test('Send-ScomAlert.ps1 is valid PowerShell', () => {
  const parser = createPowerShellParser();
  const tree = parser.parse(readFileSync(SCRIPT, 'utf8'));
  expect(syntaxErrors(tree)).toEqual([]);
});

test('the parser does catch a syntax error (so the test above can fail)', () => {
  const parser = createPowerShellParser();
  const broken = readFileSync(SCRIPT, 'utf8').replace(
    'for ($attempt = 1;',
    'for ($attempt = 1;; {',
  );
  expect(syntaxErrors(parser.parse(broken)).length).toBeGreaterThan(0);
});

test('the script keeps the token off the command line and posts with a bearer token', () => {
  const text = readFileSync(SCRIPT, 'utf8');
  expect(text).toMatch(/\$TokenPath/);
  expect(text).not.toMatch(/\[string\]\s*\$Token\b/);
  expect(text).toMatch(/Authorization = "Bearer \$token"/);
  expect(text).toMatch(/-TimeoutSec \$TimeoutSec/);
  expect(text).toMatch(/Get-SCOMAlert -Id \$id/);
});
