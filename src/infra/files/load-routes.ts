import { readFileSync } from 'node:fs';
import type { PlatformRules } from '../../domain/identity/platform-rules';
import { parseRoutes, type Routes } from '../../domain/chat/routing';

const NO_RULES: Routes = { version: 1, routes: [], defaults: {} };

/** The routing file, checked at start-up: a mistake stops the server with every problem named. */
export function loadRoutes(path: string | undefined, platforms: readonly PlatformRules[]): Routes {
  if (!path) return NO_RULES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `ALERT_ROUTES: cannot read ${path} (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  const parsed = parseRoutes(text, platforms, path);
  if (!parsed.ok) throw new Error(`ALERT_ROUTES: ${parsed.error}`);
  return parsed.routes;
}
