import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../scripts/scom/Send-ScomAlert.ps1');
const CHECKER = path.resolve(__dirname, 'support/powershell-syntax-errors.js');

function syntaxErrors(source: string): string[] {
  const run = spawnSync(process.execPath, [CHECKER], { input: source, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

test('Send-ScomAlert.ps1 is valid PowerShell', () => {
  expect(syntaxErrors(readFileSync(SCRIPT, 'utf8'))).toEqual([]);
});

test('the parser does catch a syntax error (so the test above can fail)', () => {
  const broken = readFileSync(SCRIPT, 'utf8').replace(
    'for ($attempt = 1;',
    'for ($attempt = 1;; {',
  );
  expect(syntaxErrors(broken).length).toBeGreaterThan(0);
});

test('the script keeps the token off the command line and posts with a bearer token', () => {
  const text = readFileSync(SCRIPT, 'utf8');
  expect(text).toMatch(/\$TokenPath/);
  expect(text).not.toMatch(/\[string\]\s*\$Token\b/);
  expect(text).toMatch(/Authorization = "Bearer \$token"/);
  expect(text).toMatch(/-TimeoutSec \$TimeoutSec/);
  expect(text).toMatch(/Get-SCOMAlert -Id \$id/);
});
