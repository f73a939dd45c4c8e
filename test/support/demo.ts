import { startDemo, type RunningDemo } from '../../src/cli/commands/demo';
import { redisUrl } from './redis';

/**
 * The demo as the tests run it: from source, on the tests' Redis under `prefix`, quiet, with the
 * runbook's waits at 1 s and no approval policy file (the demo's own). `env` adds or overrides.
 */
export function startTestDemo(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<RunningDemo> {
  return startDemo(
    {
      ...process.env,
      PORT: '0',
      REDIS_URL: redisUrl(),
      DEMO_REDIS_PREFIX: prefix,
      RUNBOOK_WAIT_SECONDS: '1',
      LOG_LEVEL: 'silent',
      APPROVAL_POLICY: '',
      ...env,
    },
    { fromSource: true },
  );
}
