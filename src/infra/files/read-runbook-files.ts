import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunbookText } from '../../domain/runbooks/catalog-from-texts';

const RUNBOOK_FILE = /\.(ya?ml|json)$/i;

/**
 * The only file reading of the catalogue: every `.yaml`, `.yml` and `.json` file directly in
 * `dir`, sorted by name so the load order (and so the messages) never depends on the disk.
 */
export function readRunbookFiles(dir: string): RunbookText[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`runbook directory "${dir}" does not exist or is not a directory`);
  }
  return readdirSync(dir)
    .filter((name) => RUNBOOK_FILE.test(name))
    .sort()
    .map((name) => ({ file: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * `runbooks/` at the package root, found by walking up from this file, so it works from `src/`
 * (ts-jest, tsx) and from `dist/src/` alike.
 */
export function shippedRunbooksDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) {
      return join(dir, 'runbooks');
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no runbooks/ directory above ${from}`);
    dir = parent;
  }
}
