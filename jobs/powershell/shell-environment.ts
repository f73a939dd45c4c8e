/**
 * The environment a PowerShell shell starts with: the worker's own, minus anything that looks like
 * a secret (the job-signing key, chat tokens, Redis passwords), plus what the caller adds. The
 * shells run only our scripts, but they need none of these, so they do not get them.
 */
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|REDIS_URL/i;

export function shellEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !SECRET_NAME.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}
