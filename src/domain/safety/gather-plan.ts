import type { ActionId, ActionOutput } from '../actions';
import type { DatabaseCopy } from '../actions/parse-output';
import type { MemberFacts, SafetyEvidence } from './dag-safety';

/**
 * How the worker gathers a get-dag-safety job's evidence: typed reads only, each one of the
 * registry's actions with validated parameters. Pure; `read` is the worker's executor.
 */
export type Read = (
  actionId: ActionId,
  params: Record<string, unknown>,
) => Promise<{ ok: true; output: ActionOutput } | { ok: false; error: string }>;

const short = (name: string | null): string => (name ?? '').split('.')[0]!.toLowerCase();

export async function gatherEvidence(
  server: string,
  read: Read,
  now: Date,
): Promise<{ evidence: SafetyEvidence; commands: string[] }> {
  const errors: string[] = [];
  const commands: string[] = [];
  const run = async (id: ActionId, params: Record<string, unknown>) => {
    commands.push(id);
    const r = await read(id, params);
    if (!r.ok) errors.push(`${id} ${JSON.stringify(params)}: ${r.error}`);
    return r.ok ? r.output : null;
  };

  // 1. The server's copies: which databases it hosts.
  const own = await run('get-mailbox-database-copy-status', { server });
  let copies: DatabaseCopy[] | null = own?.kind === 'copy-status' ? own.copies : null;
  // 2. Every copy of each of those databases.
  if (copies !== null) {
    const all: DatabaseCopy[] = [];
    for (const db of [...new Set(copies.map((c) => c.databaseName))]) {
      const out = await run('get-database-copies', { database: db });
      if (out?.kind !== 'copy-status') {
        copies = null;
        break;
      }
      all.push(...out.copies);
    }
    if (copies !== null) copies = all;
  }
  // 3. Each member hosting one of them: component states and activation policy.
  const names = new Map<string, string>([[short(server), server]]);
  for (const c of copies ?? []) {
    if (c.mailboxServer && !names.has(short(c.mailboxServer))) {
      names.set(short(c.mailboxServer), c.mailboxServer);
    }
  }
  const members: MemberFacts[] = [];
  for (const name of names.values()) {
    const comp = await run('get-server-component-state', { server: name });
    const mbx = await run('get-mailbox-server', { server: name });
    members.push({
      name,
      components: comp?.kind === 'component-state' ? comp.components : null,
      mailbox: mbx?.kind === 'mailbox-server' ? mbx.server : null,
    });
  }
  // 4. What Managed Availability did on the server.
  const ma = await run('get-managed-availability-recoveries', { server });
  return {
    evidence: {
      server,
      gatheredAt: now.toISOString(),
      copies,
      members,
      recoveries: ma?.kind === 'ma-recoveries' ? ma.events : null,
      errors,
    },
    commands,
  };
}
