import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { isOrgState, type OrgState } from './org-state';

/**
 * The state file several simulator shells share. Writes go to a temporary file renamed over the
 * state (atomic on one file system), and every read-modify-write holds a lock directory
 * (`mkdir` is atomic), so two shells never lose each other's changes.
 */
const LOCK_WAIT_MS = 10_000;
// A lock older than this belongs to a shell that was killed mid-update (updates take ms).
const STALE_LOCK_MS = 3_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class StateFileError extends Error {}

export async function readState(file: string): Promise<OrgState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StateFileError(`cannot read simulator state ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new StateFileError(`simulator state ${file} is not JSON`);
  }
  if (!isOrgState(data)) throw new StateFileError(`${file} is not a simulator state file`);
  return data;
}

export async function writeState(file: string, state: OrgState): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}

async function lock(file: string): Promise<() => Promise<void>> {
  const dir = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(dir);
      return () => rm(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const info = await stat(dir).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StateFileError(`timed out waiting for ${dir}`);
      await sleep(5 + Math.random() * 10);
    }
  }
}

/** Runs `change` on the current state under the lock and writes the result. */
export async function updateState<T>(
  file: string,
  change: (state: OrgState) => T | Promise<T>,
): Promise<T> {
  const release = await lock(file);
  try {
    const state = await readState(file);
    const result = await change(state);
    await writeState(file, state);
    return result;
  } finally {
    await release();
  }
}
