import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatAuditView, parseAuditSubject } from '../../domain/audit/format-audit-view';
import { parseSince } from '../../domain/audit/parse-since';
import { ChainVerifier, type Checkpoint } from '../../domain/audit/verify-chain';
import { loadConfig } from '../../infra/config/load-config';
import { createRedis } from '../../infra/redis/redis';
import {
  createRedisAuditLog,
  matches,
  type RedisAuditLog,
} from '../../infra/redis/redis-audit-log';
import { t } from '../../domain/strings';

/** Where the trail was read: to say so when nothing is there. */
interface Source {
  prefix: string;
  /** REDIS_URL without its password. */
  redis: string;
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(REDIS_URL)';
  }
}

async function withAuditLog<T>(
  run: (log: RedisAuditLog, source: Source) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env);
  const redis = createRedis(config.redisUrl, { connectionName: 'exchops-cli-audit' });
  try {
    return await run(createRedisAuditLog(redis, { prefix: config.redisPrefix }), {
      prefix: config.redisPrefix,
      redis: withoutPassword(config.redisUrl),
    });
  } finally {
    redis.disconnect();
  }
}

function sinceOption(value: string): string {
  const since = parseSince(value, new Date());
  if (!since) {
    throw new InvalidArgumentError('use an ISO time (2026-11-27T03:00Z) or an age (30m, 12h, 7d)');
  }
  return since;
}

function checkpointOption(value: string, previous: Checkpoint[] = []): Checkpoint[] {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('use <seq>:<hash> as logged in "audit checkpoint" lines');
  return [...previous, { seq: Number(m[1]), hash: m[2] as string }];
}

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .summary('export, verify and read the tamper-evident audit trail')
    .description(
      'The audit trail: everything the bot saw and did, hash-chained in a Redis Stream ' +
        '(REDIS_URL, REDIS_PREFIX). See docs/approvals.md.',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  exchange-chatops audit export --since 24h > audit.jsonl',
        '  exchange-chatops audit export --incident INC-12 -o inc-12.jsonl',
        '  exchange-chatops audit verify --checkpoint 1042:9f86d081884c7d65…(64 hex digits)',
        '  exchange-chatops audit latest EX01 -n 10',
      ].join('\n'),
    );

  audit
    .command('export')
    .summary('write entries as JSON Lines')
    .description(
      'Write audit entries as JSON Lines, oldest first: one object per line with the Redis ' +
        'stream id, seq, at, actor, action, incidentId, server, params, result, prevHash and hash. ' +
        'An entry that cannot be read is written as {id, unreadable: true, raw}.',
    )
    .addOption(
      new Option(
        '--since <time>',
        'only entries at or after: ISO time or an age (30m, 12h, 7d)',
      ).argParser(sinceOption),
    )
    .option('--incident <id>', 'only entries for this incident (e.g. INC-12)')
    .option('--server <name>', 'only entries about this server (EX01 or its FQDN)')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(
      async (opts: { since?: string; incident?: string; server?: string; output?: string }) => {
        await withAuditLog(async (log) => {
          const out = opts.output ? createWriteStream(opts.output) : process.stdout;
          const query = { since: opts.since, incidentId: opts.incident, server: opts.server };
          let n = 0;
          for await (const stored of log.scan()) {
            if (stored.entry && !matches(stored.entry, query)) continue;
            const line = stored.entry
              ? { id: stored.id, ...stored.entry }
              : { id: stored.id, unreadable: true, raw: stored.raw };
            if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
            n += 1;
          }
          if (opts.output) {
            await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
            process.stderr.write(`wrote ${n} entries to ${opts.output}\n`);
          }
        });
      },
    );

  audit
    .command('verify')
    .summary('check the hash chain; exit 1 naming the first broken entry')
    .description(
      'Check the hash chain from the first entry to the head. Exits 0 when it is intact; ' +
        'otherwise exits 1 and names the first broken entry (edited, deleted or inserted). ' +
        'Pass the checkpoints the bot logged ("audit checkpoint" lines, field ' +
        'auditCheckpoint.verify) to also catch a chain rewritten whole, hashes and all.',
    )
    .option(
      '--checkpoint <seq:hash>',
      'a logged checkpoint the chain must pass through (repeatable)',
      checkpointOption,
    )
    .action(async (opts: { checkpoint?: Checkpoint[] }) => {
      await withAuditLog(async (log, source) => {
        const verifier = new ChainVerifier(opts.checkpoint ?? []);
        for await (const stored of log.scan()) if (!verifier.add(stored)) break;
        const result = verifier.finish(await log.head());
        if (result.ok && result.entries === 0) {
          // Nothing to break is not proof of anything: most often the wrong prefix or Redis.
          process.stdout.write(
            `${t('en', 'cli.audit.empty', { prefix: source.prefix, redis: source.redis })}\n`,
          );
          return;
        }
        if (result.ok) {
          process.stdout.write(
            `audit chain intact: ${result.entries} entries, head ${result.head.seq}:${result.head.hash}\n`,
          );
          return;
        }
        const b = result.broken;
        process.stderr.write(
          `audit chain BROKEN at entry ${b.id}${b.seq !== null ? ` (position ${b.seq})` : ''}: ${b.reason}\n` +
            `${result.entries} entries before it verified.\n`,
        );
        process.exitCode = 1;
      });
    });

  audit
    .command('latest')
    .summary('show the latest entries')
    .description('Show the latest entries, newest first, as the chat "audit" command does.')
    .argument('[subject]', 'an incident (INC-12) or a server (EX01); everything when left out')
    .option('-n, --limit <count>', 'how many entries', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) {
        throw new InvalidArgumentError('a whole number from 1 to 1000');
      }
      return n;
    })
    .action(async (subject: string | undefined, opts: { limit?: number }) => {
      await withAuditLog(async (log) => {
        const about = parseAuditSubject(subject);
        const entries = await log.latest(about, opts.limit ?? 20);
        process.stdout.write(`${formatAuditView(entries, about).text}\n`);
      });
    });
}
