import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { answersPing } from '../../src/infra/redis/find-redis';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** Killed with SIGKILL (a crash); it stays down. */
  kill(): Promise<void>;
}

export interface LocalCluster {
  /** `redis+cluster://` with every node as a seed. */
  url: string;
  nodes: ClusterNode[];
  /** `redis-cli -p <port> <args>`, its output trimmed. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The master serving a key's slot now. */
  masterOf(key: string): Promise<number>;
  /**
   * Kills that master with SIGKILL and waits until its replica serves its slots and all is ok.
   * With `rejoin`, the dead node is then started again and waited for as the new master's
   * replica (what an operator restores after a failover).
   */
  crashMaster(
    port: number,
    timeoutMs?: number,
    opts?: { rejoin?: boolean },
  ): Promise<{ promoted: number; killedAt: number; promotedAt: number }>;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster on this machine: `masters` × (1 + `replicas`) `redis-server` processes with
 * AOF on, on free ports, joined with `redis-cli --cluster create`. For tests of what the bot does
 * on a Cluster and when one of its masters dies. `stop` kills every node and removes its files.
 */
export async function startLocalCluster(
  options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {},
): Promise<LocalCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-cluster-'));
  const ports = await freePorts(masters * (1 + replicas));
  const children = new Map<number, ChildProcess>();
  const stopAll = async (): Promise<void> => {
    await Promise.all([...children.values()].map((c) => killed(c, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  const cli = async (port: number, ...args: string[]): Promise<string> =>
    (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();

  // A node's process, started again on the same port and files after a crash: it rejoins the
  // cluster from its nodes.conf and AOF (as a replica, once its replica took over).
  const startNode = (port: number): void => {
    const nodeDir = path.join(dir, String(port));
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        nodeDir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(nodeDir, 'nodes.conf'),
        '--cluster-node-timeout',
        String(options.nodeTimeoutMs ?? 1000),
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    children.set(port, child);
  };

  try {
    for (const port of ports) {
      mkdirSync(path.join(dir, String(port)));
      startNode(port);
    }
    for (const port of ports) await waitFor(`node ${port}`, () => answersPing('127.0.0.1', port));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await waitFor('cluster ok', () => allOk(ports, cli), 20_000);
    // A replica takes over only once it has synced with its master.
    await waitFor(
      'replicas in sync',
      async () => {
        const roles = await Promise.all(ports.map((p) => cli(p, 'info', 'replication')));
        return roles
          .filter((r) => r.includes('role:slave'))
          .every((r) => r.includes('master_link_status:up'));
      },
      20_000,
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const alive = (): number[] => ports.filter((p) => !exited(children.get(p)));

  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    nodes: ports.map((port) => ({
      port,
      kill: () => killed(children.get(port), 'SIGKILL'),
    })),
    cli,
    async masterOf(key) {
      const slot = Number(await cli(alive()[0] ?? ports[0]!, 'cluster', 'keyslot', key));
      const shards = JSON.parse(
        await cli(alive()[0] ?? ports[0]!, '--json', 'cluster', 'slots'),
      ) as Array<[number, number, [string, number, string], ...unknown[]]>;
      const shard = shards.find(([from, to]) => slot >= from && slot <= to);
      if (!shard) throw new Error(`no master serves slot ${slot}`);
      return shard[2][1];
    },
    async crashMaster(port, timeoutMs = 15_000, opts = {}) {
      const me = (await cli(port, 'cluster', 'myid')).trim();
      const lines = (await cli(port, 'cluster', 'nodes')).split('\n');
      const replica = lines
        .map((l) => l.split(' '))
        .find((f) => f[2]?.includes('slave') && f[3] === me);
      if (!replica) throw new Error(`master ${port} has no replica`);
      const replicaPort = Number(/:(\d+)@/.exec(replica[1] ?? '')?.[1]);
      await killed(children.get(port), 'SIGKILL');
      const killedAt = Date.now();
      const isMaster = async () =>
        (await cli(replicaPort, 'role').catch(() => '')).startsWith('master');
      // Redis Cluster promotes the replica by itself once the others agree the master failed
      // (node timeout and an election); TAKEOVER forces it if that takes too long here.
      const election = Date.now() + Math.min(timeoutMs / 2, 8000);
      while (!(await isMaster()) && Date.now() < election) await pause(100);
      if (!(await isMaster())) await cli(replicaPort, 'cluster', 'failover', 'takeover');
      await waitFor(`replica ${replicaPort} promoted`, isMaster, timeoutMs);
      await waitFor('cluster ok after failover', () => allOk(alive(), cli), timeoutMs);
      const promotedAt = Date.now();
      if (opts.rejoin) {
        startNode(port);
        await waitFor(
          `node ${port} back as a replica in sync`,
          async () => {
            const info = await cli(port, 'info', 'replication').catch(() => '');
            return info.includes('role:slave') && info.includes('master_link_status:up');
          },
          timeoutMs,
        );
      }
      return { promoted: replicaPort, killedAt, promotedAt };
    },
    stop: stopAll,
  };
}

async function allOk(ports: number[], cli: LocalCluster['cli']): Promise<boolean> {
  const infos = await Promise.all(ports.map((p) => cli(p, 'cluster', 'info').catch(() => '')));
  return infos.every((i) => i.includes('cluster_state:ok'));
}

function exited(child: ChildProcess | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}

function killed(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (!child || exited(child)) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`redis cluster: timed out waiting for ${what}`);
    await pause(50);
  }
}

/** Free ports whose cluster bus port (port + 10000) is free too. */
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await listenOn(0);
    if (port === null || port + 10000 > 65535 || ports.includes(port)) continue;
    if ((await listenOn(port + 10000)) === null) continue;
    ports.push(port);
  }
  return ports;
}

function listenOn(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}
