import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Only these files may touch the file system; everything else in runbooks/ and cards/ is pure. */
const EDGE = new Set(['read-runbook-files.ts', 'load-catalog.ts']);
const IMPORT = /from '([^']+)'/g;

test.each(['runbooks', 'cards'])('src/%s imports no I/O, platform SDK or queue', (folder) => {
  const dir = join(__dirname, '..', folder);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(IMPORT)].map((m) => m[1]);
    const allowed = (spec: string | undefined) =>
      spec !== undefined &&
      (spec.startsWith('.') ||
        spec === 'zod' ||
        spec === 'yaml' ||
        (EDGE.has(file) && (spec === 'node:fs' || spec === 'node:path')));
    expect({ file, bad: imports.filter((i) => !allowed(i)) }).toEqual({ file, bad: [] });
  }
});
