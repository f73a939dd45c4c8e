import { readFile } from 'node:fs/promises';
import type { PolicyProvider, PolicyText } from '../../app/approvals/policy-provider';

/** The policy file as a text source. */
export function policyFile(path: string): PolicyText {
  return { name: path, read: () => readFile(path, 'utf8') };
}

/** What listens for SIGHUP: `process`, or an emitter in tests (jest's sandboxed process is not real). */
export interface SignalSource {
  on(signal: 'SIGHUP', listener: () => void): unknown;
  off(signal: 'SIGHUP', listener: () => void): unknown;
}

/**
 * Reloads the policy every `intervalMs` (0: never) and on SIGHUP; unchanged text is a no-op, an
 * invalid file keeps the last good policy (the provider reports either way).
 */
export function watchPolicy(
  provider: PolicyProvider,
  options: { intervalMs: number; sighup?: boolean; signals?: SignalSource },
): { stop(): void } {
  const reload = () => void provider.reload();
  const timer = options.intervalMs > 0 ? setInterval(reload, options.intervalMs) : null;
  timer?.unref();
  const signals: SignalSource = options.signals ?? process;
  if (options.sighup) signals.on('SIGHUP', reload);
  return {
    stop() {
      if (timer) clearInterval(timer);
      if (options.sighup) signals.off('SIGHUP', reload);
    },
  };
}
