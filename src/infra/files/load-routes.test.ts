import { PLATFORM_RULES } from '../../../adapters/registry';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRoutes } from './load-routes';

test('no ALERT_ROUTES: no rules; a missing or wrong file stops start-up naming it', () => {
  expect(loadRoutes(undefined, PLATFORM_RULES)).toEqual({ version: 1, routes: [], defaults: {} });
  const dir = mkdtempSync(path.join(tmpdir(), 'routes-'));
  try {
    expect(() => loadRoutes(path.join(dir, 'nope.yaml'), PLATFORM_RULES)).toThrow(
      /^ALERT_ROUTES: cannot read .*nope\.yaml/,
    );
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 2\n');
    expect(() => loadRoutes(bad, PLATFORM_RULES)).toThrow(/^ALERT_ROUTES: .*bad\.yaml: version/);
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, 'version: 1\ndefaults: { slack: C0ALERTS }\n');
    expect(loadRoutes(good, PLATFORM_RULES).defaults).toEqual({ slack: 'C0ALERTS' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
