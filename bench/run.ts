import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOrStartRedis } from '../src/infra/redis/find-redis';
import { createRedis, type RedisClient } from '../src/infra/redis/redis';
import { deleteKeysWithPrefix } from '../src/infra/redis/scan-keys';
import { benchIntake, type IntakeResult } from './intake';
import { formatTable } from './lib/stats';
import { benchStorm, type StormResult } from './storm';
import { benchWorker, type WorkerBenchResult } from './worker';
import { benchOutageStorm, type OutageStormResult } from './outage-storm';
import { benchCost, type CostResult } from './cost';
import { benchStormServer, type StormServerResult } from './storm-server';
import { startPrivateRedis } from './lib/private-redis';

/**
 * `npm run bench`: the benchmarks of docs/performance.md, a table on stdout and the whole
 * result as JSON in bench/results/latest.json. `--quick` (or BENCH_QUICK=1) scales everything
 * down for a try-out; `--only intake,storm,worker` runs some of them
 * (also `outage`, `cost`, `storm-server`); `--split` runs (a) with the webhook in a process of its
 * own (BOT_ROLE=web) beside a background process.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'intake,storm,worker,outage,cost,storm-server').split(','));
// `--rates=50,100`: the sustainable-rate probe's fixed rates (alerts/s) instead of the defaults.
const ratesArg = args.find((a) => a.startsWith('--rates='))?.slice('--rates='.length);

const SIZES = quick
  ? {
      warmup: 2,
      intakeSeconds: 5,
      stormAlerts: 2000,
      stormSeconds: 12,
      burst: 60,
      single: 15,
      approvals: 10,
      outageServers: 60,
      outageNoise: 8,
      outageSeconds: 20,
      costRounds: 3,
      stormServerServers: 50,
      stormServerNoise: 15,
      stormServerSeconds: 20,
      stormServerCapMs: 180_000,
      rates: [100],
      rateSeconds: 8,
      drainMs: 60_000,
    }
  : {
      warmup: 3,
      intakeSeconds: 10,
      stormAlerts: 10_000,
      stormSeconds: 60,
      burst: 200,
      single: 40,
      approvals: 30,
      outageServers: 150,
      outageNoise: 30,
      outageSeconds: 60,
      costRounds: 10,
      stormServerServers: 150,
      stormServerNoise: 50,
      stormServerSeconds: 60,
      stormServerCapMs: 600_000,
      rates: [100, 250, 500, 1000],
      rateSeconds: 20,
      drainMs: 120_000,
    };

function machine() {
  const cpu = (() => {
    try {
      const info = readFileSync('/proc/cpuinfo', 'utf8');
      return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
    } catch {
      return os.cpus()[0]?.model ?? 'unknown';
    }
  })();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpu,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

async function redisVersion(redis: RedisClient): Promise<string> {
  const info = await redis.info('server');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const found = await findOrStartRedis(process.env);
  const redis = createRedis(found.url, { connectionName: 'exchops-bench' });
  const runId = randomBytes(4).toString('hex');
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const prefixes: string[] = [];
  const prefix = (name: string) => {
    const p = `bench-${name}-${runId}`;
    prefixes.push(p);
    return p;
  };
  const result: {
    startedAt: string;
    quick: boolean;
    commit: string | null;
    machine: ReturnType<typeof machine> & { redis: string; redisSource: string };
    intake?: IntakeResult;
    storm?: StormResult;
    worker?: WorkerBenchResult;
    outage?: OutageStormResult;
    cost?: CostResult;
    stormServer?: StormServerResult;
  } = {
    startedAt: new Date().toISOString(),
    quick,
    commit: gitCommit(),
    machine: { ...machine(), redis: await redisVersion(redis), redisSource: found.source },
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`exchange-chatops bench${quick ? ' (quick)' : ''}: Redis ${found.url} (${found.source})`);
  try {
    if (only.has('intake')) {
      log(
        `(a) webhook intake: 32 connections, ${SIZES.intakeSeconds} s each, bare server then bot…`,
      );
      result.intake = await benchIntake({
        prefix: prefix('intake'),
        token,
        connections: 32,
        warmupSeconds: SIZES.warmup,
        seconds: SIZES.intakeSeconds,
        batchSize: 50,
        rates: ratesArg ? ratesArg.split(',').map(Number) : SIZES.rates,
        rateSeconds: SIZES.rateSeconds,
        drainTimeoutMs: SIZES.drainMs,
        split: args.includes('--split'),
      });
    }
    if (only.has('storm')) {
      log(`(b) alert storm: ${SIZES.stormAlerts} alerts, 200 servers, ${SIZES.stormSeconds} s…`);
      result.storm = await benchStorm({
        redis,
        redisUrl: found.url,
        prefix: prefix('storm'),
        token,
        alerts: SIZES.stormAlerts,
        servers: 200,
        seconds: SIZES.stormSeconds,
      });
    }
    if (only.has('worker')) {
      log(`(c) worker on the simulator: ${SIZES.burst} jobs burst, ${SIZES.approvals} approvals…`);
      result.worker = await benchWorker({
        redis,
        redisUrl: found.url,
        prefix: prefix('worker'),
        concurrency: 4,
        burstJobs: SIZES.burst,
        singleJobs: SIZES.single,
        approvals: SIZES.approvals,
      });
    }
    if (only.has('outage')) {
      log(
        `(d) outage storm at the chat side: ${SIZES.outageServers} servers + ${SIZES.outageNoise} noise, ${SIZES.outageSeconds} s…`,
      );
      result.outage = await benchOutageStorm({
        redis,
        redisUrl: found.url,
        prefix: prefix('outage'),
        stormServers: SIZES.outageServers,
        noise: SIZES.outageNoise,
        seconds: SIZES.outageSeconds,
      });
    }
    if (only.has('cost')) {
      log(
        `(e) Redis commands per alert: ${SIZES.costRounds} rounds per kind, private redis-server…`,
      );
      result.cost = await benchCost({
        prefix: prefix('cost'),
        token,
        rounds: SIZES.costRounds,
      });
    }
    if (only.has('storm-server')) {
      log(
        `(f) outage storm through the real server: ${SIZES.stormServerServers} servers of site-a + ${SIZES.stormServerNoise} noise, ${SIZES.stormServerSeconds} s…`,
      );
      // Its own redis-server: the commands counted per alert are the bot's alone.
      const ownRedis = await startPrivateRedis();
      const own = createRedis(ownRedis.url, { connectionName: 'exchops-bench-storm-server' });
      try {
        result.stormServer = await benchStormServer({
          redis: own,
          redisUrl: ownRedis.url,
          prefix: prefix('storm-server'),
          token,
          stormServers: SIZES.stormServerServers,
          noiseServers: SIZES.stormServerNoise,
          seconds: SIZES.stormServerSeconds,
          concurrency: 16,
          capMs: SIZES.stormServerCapMs,
        });
      } finally {
        own.disconnect();
        await ownRedis.stop();
      }
    }
  } finally {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    redis.disconnect();
    await found.stop?.();
  }

  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${report(result)}\n\nJSON: ${path.relative(process.cwd(), file)}\n`);
  const failed = result.storm && !result.storm.ok;
  if (failed) {
    process.stderr.write('the alert storm did not account for every alert; see the JSON\n');
    process.exitCode = 1;
  }
}

function report(r: {
  machine: ReturnType<typeof machine> & { redis: string };
  intake?: IntakeResult;
  storm?: StormResult;
  worker?: WorkerBenchResult;
  outage?: OutageStormResult;
  cost?: CostResult;
  stormServer?: StormServerResult;
}): string {
  const m = r.machine;
  const out: string[] = [
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, Redis ${m.redis}, load ${m.loadAverage.join(' ')}`,
  ];
  if (r.intake) {
    const i = r.intake;
    const row = (name: string, x: IntakeResult['bare']) => [
      name,
      String(x.perSecond),
      x.latencyMs.p50.toFixed(2),
      x.latencyMs.p95.toFixed(2),
      x.latencyMs.p99.toFixed(2),
      String(x.non2xx + x.errors),
    ];
    out.push(
      '',
      `(a) Webhook intake, ${i.connections} concurrent connections, ${i.seconds} s, ${i.layout}`,
      formatTable([
        ['server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
        row('bare node:http 202', i.bare),
        row('exchange-chatops webhook', i.bot),
        [
          'ratio bot / bare',
          i.ratio.throughput.toFixed(3),
          i.ratio.p50.toFixed(1),
          '',
          i.ratio.p99.toFixed(1),
          '',
        ],
      ]),
      `outcomes: ${JSON.stringify(i.bot.outcomes)}`,
      `server CPU per alert: bare ${i.bare.cpuMsPerAlert ?? '?'} ms, bot ${i.bot.cpuMsPerAlert ?? '?'} ms${i.batch ? `, bot in batches ${i.batch.result.cpuMsPerAlert ?? '?'} ms` : ''}`,
    );
    if (i.batch) {
      out.push(
        `batches of ${i.batch.size}: ${i.batch.alertsPerSecond} alerts/s (${i.batch.result.perSecond} req/s, p99 ${i.batch.result.latencyMs.p99.toFixed(1)} ms), ratio to bare ${i.batch.ratio.toFixed(3)}`,
      );
    }
    if (i.rates) {
      out.push(
        '',
        "sustainable rate (single alerts at a fixed rate; backlog = card-events + trigger jobs waiting, lag = the oldest one's wait)",
        formatTable([
          [
            'alerts/s asked',
            'answered/s',
            'jobs start / peak / end',
            'lag peak / end ms',
            'drained in ms',
            'commands/alert',
            'p99 ms',
            'kept up',
          ],
          ...i.rates.map((r) => [
            String(r.rate),
            String(r.answered),
            `${r.backlog.start} / ${r.backlog.peak} / ${r.backlog.end}`,
            `${r.lagMs.peak} / ${r.lagMs.end}`,
            r.drainMs === null ? 'not drained' : String(r.drainMs),
            String(r.commandsPerAlert),
            r.p99Ms.toFixed(1),
            r.sustained ? 'yes' : 'no',
          ]),
        ]),
      );
    }
  }
  if (r.storm) {
    const s = r.storm;
    out.push(
      '',
      `(b) Alert storm: ${s.alerts} alerts, ${s.servers} servers, ${s.healthSets} health sets, planned ${s.seconds} s`,
      formatTable([
        ['measure', 'value'],
        ['sent in (s)', String(s.sendSeconds)],
        ['alerts/s', String(s.alertsPerSecond)],
        [
          'latency p50 / p95 / p99 ms',
          `${s.latencyMs.p50} / ${s.latencyMs.p95} / ${s.latencyMs.p99}`,
        ],
        [
          'outcomes',
          Object.entries(s.outcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ],
        [
          'incidents created / resolved / open',
          `${s.incidents.created} / ${s.incidents.resolved} / ${s.incidents.open}`,
        ],
        [
          'chat messages (new cards + updates)',
          `${s.chatMessages.total} (${s.chatMessages.newCards} + ${s.chatMessages.cardUpdates})`,
        ],
        ['run-change redraws (verify started, verdict…)', String(s.chatMessages.runUpdates)],
        [
          'bot RSS idle / peak, peak heap MiB',
          `${s.serverMemory.idleRssMiB} / ${s.serverMemory.peakRssMiB}, ${s.serverMemory.peakHeapUsedMiB}`,
        ],
        ['Redis memory growth MiB', String(s.redisMemoryMiB)],
        ['alerts accounted for', `${s.accounting.recorded} of ${s.accounting.alertIds} alert ids`],
        ['verdict', s.ok ? 'every alert accounted for' : 'MISMATCH (see JSON)'],
      ]),
    );
  }
  if (r.worker) {
    const w = r.worker;
    const lat = (x: { p50: number; p95: number; max: number }) => `${x.p50} / ${x.p95} / ${x.max}`;
    out.push(
      '',
      `(c) Worker on the simulated Exchange, concurrency ${w.concurrency}`,
      formatTable([
        ['measure', 'value'],
        [`burst of ${w.burst.jobs} read jobs: jobs/s`, String(w.burst.jobsPerSecond)],
        ['burst enqueue→start p50 / p95 / max ms', lat(w.burst.enqueueToStartMs)],
        ['idle enqueue→start p50 / p95 / max ms', lat(w.idle.enqueueToStartMs)],
        ['idle enqueue→finish p50 / p95 / max ms', lat(w.idle.enqueueToFinishMs)],
        ['approval→job start p50 / p95 / max ms', lat(w.approvals.approvalToStartMs)],
        ['approval→job finish p50 / p95 / max ms', lat(w.approvals.approvalToFinishMs)],
        ['failed jobs', String(w.burst.failed + w.approvals.failed)],
      ]),
    );
  }
  if (r.outage) {
    const o = r.outage;
    out.push(
      '',
      `(d) Outage storm at the chat side: ${o.changes} incident changes, ${o.incidents} incidents in ${o.seconds} s, fake Slack enforcing its limits`,
      formatTable([
        ['measure', 'value'],
        [
          'top-level messages (outage cards / noise cards / storm own cards)',
          `${o.channel.topLevelMessages} (${o.channel.outageCards} / ${o.channel.noiseCards} / ${o.channel.stormOwnCards})`,
        ],
        ['messages per minute', String(o.channel.messagesPerMinute)],
        ['thread messages / card updates', `${o.channel.threadMessages} / ${o.channel.updates}`],
        ['429s', String(o.channel.limited429)],
        [
          'outage card with every member, after the last first failure',
          `${o.lagMs.outageCardAllMembers ?? 'never'} ms`,
        ],
        [
          'outage card resolved, after the last change',
          `${o.lagMs.outageCardResolved ?? 'never'} ms`,
        ],
        [
          'noise card after its publish p50 / max',
          `${o.noiseCardMs.p50} / ${o.noiseCardMs.max} ms`,
        ],
        ['unaccounted', String(o.unaccounted)],
      ]),
    );
  }
  if (r.cost) {
    const c = r.cost;
    const rows = Object.entries(c.perKind).map(([kind, k]) => [
      kind,
      String(k.request),
      String(k.background),
      String(k.total),
      `${k.requestInScripts} / ${k.backgroundInScripts}`,
      String(k.allCommands),
    ]);
    out.push(
      '',
      `(e) Redis commands per alert (round trips; idle polling ${c.idlePerSecond}/s subtracted)`,
      formatTable([
        ['alert', 'request', 'background', 'total', 'in scripts (req / bg)', 'all commands'],
        ...rows,
        [
          'mix 1 new : 2 updates : 1 dup : 1 resolution',
          '',
          '',
          String(c.mixed.roundTrips),
          '',
          String(c.mixed.allCommands),
        ],
      ]),
      ...Object.entries(c.perKind).map(([kind, k]) => `${kind}: ${JSON.stringify(k.top)}`),
      ...Object.entries(c.perKind).map(
        ([kind, k]) => `${kind} by key: ${JSON.stringify(k.families)}`,
      ),
    );
  }
  if (r.stormServer) out.push('', ...stormServerReport(r.stormServer));
  return out.join('\n');
}

function stormServerReport(s: StormServerResult): string[] {
  const ms = (x: number | null) => (x === null ? 'not reached' : `${x} ms`);
  const yes = (b: boolean) => (b ? 'met' : 'NOT met');
  const c = s.channel;
  return [
    `(f) Outage storm through the real server: ${s.alerts} alerts, ${s.servers} servers, planned ${s.seconds} s, ${s.concurrency} requests at most in flight, fake Slack enforcing its limits`,
    formatTable([
      ['measure', 'value'],
      ['sent in (s)', String(s.sendSeconds)],
      [
        'webhook latency p50 / p95 / p99 / max ms',
        `${s.latencyMs.p50} / ${s.latencyMs.p95} / ${s.latencyMs.p99} / ${s.latencyMs.max}`,
      ],
      [
        'outcomes',
        Object.entries(s.outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') + ` (${s.unexpectedOutcomes} unexpected)`,
      ],
      [
        'incidents: storm (open at end) / noise (resolved) / late',
        `${s.incidents.storm} (${s.incidents.stormOpenAtEnd}) / ${s.incidents.noise} (${s.incidents.noiseResolved}) / 1`,
      ],
      [
        'top-level messages (outage / storm own / noise / late / other)',
        `${c.topLevelMessages} (${c.outageCards} / ${c.stormOwnCards} / ${c.noiseCards} / ${c.lateCards} / ${c.otherTopLevel})`,
      ],
      ['storm own cards turned into pointers', String(c.stormPointers)],
      [
        'thread messages / updates (of the outage card; identical to what it showed)',
        `${c.threadMessages} / ${c.updates} (${c.outageCardUpdates}; ${c.identicalUpdates})`,
      ],
      [
        'top-level per minute / peak Web API calls in 60 s',
        `${c.messagesPerMinute} / ${c.peakCallsPerMinute}`,
      ],
      ['429s', String(c.limited429)],
      [
        'outage card with every member, after its last first alert',
        ms(s.lagMs.outageCardAllMembers),
      ],
      ['  the same, after the storm end', ms(s.lagMs.outageCardAllMembersAfterEnd)],
      ['last own card, after the storm end', ms(s.lagMs.lastCardAfterEnd)],
      ['late problem card, after its 202', ms(s.lagMs.lateCard)],
      ['outage card end state, after the last storm resolution', ms(s.lagMs.outageCardResolutions)],
      ['noise cards resolved, after the last noise resolution', ms(s.lagMs.incidentCardsResolved)],
      [
        'card behind its change p50 / p95 / max: outage card',
        `${s.cardBehindMs.outage.p50} / ${s.cardBehindMs.outage.p95} / ${s.cardBehindMs.outage.max} ms`,
      ],
      [
        '  noise cards',
        `${s.cardBehindMs.noise.p50} / ${s.cardBehindMs.noise.p95} / ${s.cardBehindMs.noise.max} ms`,
      ],
      ['queues drained, after the storm end', ms(s.drainMs)],
      ['backlog peak (card events + triggers + chat-slack jobs)', String(s.backlogPeak)],
      ['bot CPU per alert', `${s.botCpuMsPerAlert} ms`],
      [
        'Redis commands per alert (all of them, background included)',
        String(s.redisCommandsPerAlert),
      ],
      [
        'site-a checks running / waiting at the end (no worker)',
        `${s.siteAAdmission.running} / ${s.siteAAdmission.waiting}${s.siteAAdmission.lateWaiting ? " (the late problem's among them)" : ''}`,
      ],
      [
        'alerts accounted for',
        `${s.accounting.recorded} of ${s.accounting.alertIds} alert ids (${s.accounting.wrongIncident} wrong incident or status)`,
      ],
      [
        'targets: 0 429s / one message per story / visible in 10 s / none unaccounted',
        `${yes(s.targets.no429)} / ${yes(s.targets.oneMessagePerStory)} / ${yes(s.targets.visibleWithin10s)} / ${yes(s.targets.noneUnaccounted)}`,
      ],
    ]),
    `reached within ${Math.round(s.waitedMs / 1000)} s of the storm's end: ${Object.entries(
      s.reached,
    )
      .map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`)
      .join(', ')}`,
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
