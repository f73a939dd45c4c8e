import { COMMANDS } from '../../src/domain/chat/commands';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { PNG } from 'pngjs';
import { fromBuffer, type Entry } from 'yauzl';
import { registerTeamsCommands as registerTeams } from './commands';
import { teamsManifestV117 } from '../../test/fixtures/teams-manifest-schema';
import { AppPackageError, buildAppPackage, fillManifest, teamsManifestDir } from './app-package';

const APP = '12345678-90ab-cdef-1234-567890abcdef';
const dir = teamsManifestDir();
const template = readFileSync(join(dir, 'manifest.json'), 'utf8');

/** The files of a zip, by name. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const files = new Map<string, Buffer>();
      file.on('entry', (entry: Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
        });
      });
      file.on('end', () => resolve(files));
      file.readEntry();
    });
  });
}

describe('manifest/teams/manifest.json', () => {
  it('filled in, passes the v1.17 manifest model (test/fixtures/teams-manifest-schema.ts)', () => {
    const manifest = fillManifest(template, { appId: APP, host: 'chatops.contoso.com' });
    const result = teamsManifestV117.safeParse(manifest);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('lists the bot’s sub-commands for every scope', () => {
    const manifest = teamsManifestV117.parse(
      fillManifest(template, { appId: APP, host: 'chatops.contoso.com' }),
    );
    const bot = manifest.bots[0];
    expect(bot?.botId).toBe(APP);
    expect(bot?.scopes).toEqual(['team', 'personal', 'groupChat']);
    // The bot's command list is the chat core's sub-commands, in the same order.
    expect(bot?.commandLists?.[0]?.commands.map((c) => c.title)).toEqual(
      COMMANDS.map((c) => c.name),
    );
    expect(manifest.validDomains).toEqual(['chatops.contoso.com']);
  });

  it('refuses a bad app id, a URL for a host, a bad version', () => {
    expect(() => fillManifest(template, { appId: 'abc', host: 'a.b' })).toThrow(AppPackageError);
    expect(() => fillManifest(template, { appId: APP, host: 'https://a.b/' })).toThrow(/host name/);
    expect(() => fillManifest(template, { appId: APP, host: 'a.b', appVersion: 'v2' })).toThrow(
      /app-version/,
    );
  });
});

describe('icons', () => {
  const color = PNG.sync.read(readFileSync(join(dir, 'color.png')));
  const outline = PNG.sync.read(readFileSync(join(dir, 'outline.png')));

  it('color.png is 192x192 and opaque', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    let translucent = 0;
    for (let i = 3; i < color.data.length; i += 4) if (color.data[i] !== 255) translucent++;
    expect(translucent).toBe(0);
  });

  it('outline.png is 32x32, white on a transparent background', () => {
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let drawn = 0;
    let notWhite = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const alpha = outline.data[i + 3] ?? 0;
      if (alpha === 0) transparent++;
      else {
        drawn++;
        if (outline.data[i] !== 255 || outline.data[i + 1] !== 255 || outline.data[i + 2] !== 255) {
          notWhite++;
        }
      }
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
    expect(drawn).toBeGreaterThan(0);
    expect(notWhite).toBe(0);
  });
});

describe('exchange-chatops teams package', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'teams-pkg-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  async function run(...args: string[]) {
    let out = '';
    let err = '';
    const program = new Command('exchange-chatops').exitOverride();
    registerTeams(program, { out: (s) => (out += s), err: (s) => (err += s) });
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      await program.parseAsync(['node', 'exchange-chatops', 'teams', 'package', ...args]);
      return { out, err, exitCode: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = before;
    }
  }

  it('writes a zip with the three files and the filled-in id and host', async () => {
    const out = join(tmp, 'app.zip');
    const res = await run(
      '--app-id',
      APP,
      '--host',
      'chatops.contoso.com',
      '--out',
      out,
      '--app-version',
      '1.0.3',
    );
    expect(res).toMatchObject({ exitCode: 0, err: '' });
    expect(res.out).toContain(out);
    const files = await unzip(readFileSync(out));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse((files.get('manifest.json') as Buffer).toString('utf8'));
    expect(manifest).toMatchObject({ id: APP, version: '1.0.3', bots: [{ botId: APP }] });
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(teamsManifestV117.safeParse(manifest).success).toBe(true);
    expect(files.get('color.png')).toEqual(readFileSync(join(dir, 'color.png')));
  });

  it('answers a bad id with a message and exit code 2, writing nothing', async () => {
    const res = await run(
      '--app-id',
      'nope',
      '--host',
      'chatops.contoso.com',
      '--out',
      join(tmp, 'x.zip'),
    );
    expect(res.exitCode).toBe(2);
    expect(res.err).toMatch(/--app-id must be/);
  });

  it('is reproducible for the same inputs', async () => {
    const a = await buildAppPackage({ appId: APP, host: 'a.example.com' });
    const b = await buildAppPackage({ appId: APP, host: 'a.example.com' });
    expect(a.equals(b)).toBe(true);
  });
});
