import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZipFile } from 'yazl';

/**
 * The installable Teams app package: manifest/teams/manifest.json with the app id and host filled
 * in, plus the two icons, zipped flat (Teams wants the three files at the root of the zip).
 */
export interface AppPackageOptions {
  appId: string;
  /** The bot's public host name, e.g. chatops.contoso.com (no scheme, no path). */
  host: string;
  /** The manifest's app version; bump it when re-uploading a changed package. */
  appVersion?: string | undefined;
  /** Where manifest.json and the icons are; defaults to the package's manifest/teams/. */
  manifestDir?: string | undefined;
}

export const APP_PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;

export class AppPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppPackageError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const SEMVER = /^\d+\.\d+\.\d+$/;

/** The template with the values in; throws AppPackageError on a bad id or host. */
export function fillManifest(
  template: string,
  options: AppPackageOptions,
): Record<string, unknown> {
  if (!GUID.test(options.appId)) {
    throw new AppPackageError(
      `--app-id must be the Azure Bot's Microsoft App ID, a GUID (got "${options.appId}")`,
    );
  }
  if (!HOST.test(options.host)) {
    throw new AppPackageError(
      `--host must be a host name only, such as chatops.contoso.com (got "${options.host}")`,
    );
  }
  if (options.appVersion !== undefined && !SEMVER.test(options.appVersion)) {
    throw new AppPackageError(`--app-version must look like 1.0.1 (got "${options.appVersion}")`);
  }
  const filled = template
    .replaceAll('{{APP_ID}}', options.appId.toLowerCase())
    .replaceAll('{{HOST}}', options.host.toLowerCase());
  const left = /\{\{[A-Z_]+\}\}/.exec(filled);
  if (left) throw new AppPackageError(`manifest.json has a placeholder nobody fills: ${left[0]}`);
  const manifest = JSON.parse(filled) as Record<string, unknown>;
  if (options.appVersion) manifest.version = options.appVersion;
  return manifest;
}

/** The zip, in memory (a few KB). */
export async function buildAppPackage(options: AppPackageOptions): Promise<Buffer> {
  const dir = options.manifestDir ?? teamsManifestDir();
  const manifest = fillManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), options);
  const zip = new ZipFile();
  // A fixed time keeps the zip reproducible for the same inputs.
  const mtime = new Date('2026-01-01T00:00:00Z');
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { mtime });
  zip.addBuffer(readFileSync(join(dir, 'color.png')), 'color.png', { mtime });
  zip.addBuffer(readFileSync(join(dir, 'outline.png')), 'outline.png', { mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** manifest/teams/ of this package, found by walking up (works from src and from dist). */
export function teamsManifestDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'manifest', 'teams');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'manifest.json'))) {
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no manifest/teams/ directory above ${from}`);
    dir = parent;
  }
}
