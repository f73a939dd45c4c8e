import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMPORT = /from '([^']+)'/g;

/** The run machine and service reach Redis, BullMQ and the worker only through ports. */
test('src/remediation imports no I/O, queue or edge module', () => {
  const dir = __dirname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(IMPORT)].map((m) => m[1]);
    const allowed = (spec: string | undefined) =>
      spec !== undefined &&
      // Signing approvals needs HMAC; nothing else leaves the process.
      (spec === 'node:crypto' ||
        (spec.startsWith('.') && !/\/(infra|http|cli|chat)\b|jobs\//.test(spec)));
    expect({ file, bad: imports.filter((i) => !allowed(i)) }).toEqual({ file, bad: [] });
  }
});
