import { z } from 'zod';
import { checkHostName } from '../alerts/host-name';

/**
 * Parameter types shared by every action. They admit only what Exchange names can be, so a
 * hostile value is refused before any command text exists; quoting is the second fence.
 */
export const serverName = z
  .string({ error: 'must be a server name' })
  .trim()
  .superRefine((value, ctx) => {
    const problem = checkHostName(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `server ${problem}` });
  });

export const healthSetName = z
  .string({ error: 'must be a health set name' })
  .regex(/^[A-Za-z][A-Za-z0-9.]{0,63}$/, 'must be a health set name such as POP or POP.Protocol');

export const probeName = z
  .string({ error: 'must be a probe name' })
  .regex(/^[A-Za-z][A-Za-z0-9_.]{0,127}$/, 'must be a probe name such as PopCTPProbe');

/** A mailbox database name: letters, digits, spaces inside, `_`, `.` and `-`. */
export const databaseName = z
  .string({ error: 'must be a database name' })
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/,
    'must be a mailbox database name such as DB01',
  );

/** Only the protocol services the runbooks restart; nothing else can be named. */
export const EXCHANGE_SERVICES = [
  'MSExchangePOP3',
  'MSExchangePOP3BE',
  'MSExchangeIMAP4',
  'MSExchangeIMAP4BE',
] as const;
export type ExchangeService = (typeof EXCHANGE_SERVICES)[number];
export const serviceName = z.enum(EXCHANGE_SERVICES, {
  error: `must be one of ${EXCHANGE_SERVICES.join(', ')}`,
});

/**
 * What a failover's approval was shown: the digest of the pre-check's evidence and how many
 * healthy target copies each database had. Never part of the command text; signed with the
 * grant, so the worker can refuse when its own pre-check just before the failover is worse.
 */
export const failoverSeal = z
  .object({
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
    healthyTargets: z.record(databaseName, z.number().int().min(0).max(64)),
  })
  .strict();
export type FailoverSeal = z.output<typeof failoverSeal>;

/** Queue-length limits a pre-check may be given (log files; see docs/powershell.md). */
export const logCount = z.number().int().min(0).max(100_000);
