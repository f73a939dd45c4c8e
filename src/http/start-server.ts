import type { Config } from '../config/load-config';

export async function startServer(
  _config: Config,
  _options: { handleSignals?: boolean },
): Promise<void> {
  throw new Error('not yet');
}
