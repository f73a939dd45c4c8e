import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppPackageError, buildAppPackage } from './app-package';

export interface TeamsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: TeamsIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function registerTeamsCommands(program: Command, io: TeamsIo = defaultIo): void {
  const teams = program
    .command('teams')
    .summary('Microsoft Teams tools (the app package)')
    .description('Microsoft Teams tools. Setting up the bot is described in docs/teams.md.');

  teams
    .command('package')
    .summary('build the Teams app package (zip) to upload to Teams')
    .description(
      'Fill in manifest/teams/manifest.json with the Azure Bot app id and the bot host, and zip ' +
        'it with the two icons into an app package that Teams accepts (Apps > Manage your apps > ' +
        'Upload an app, or the Teams admin center).',
    )
    .option('--app-id <guid>', 'the Azure Bot Microsoft App ID (default: TEAMS_APP_ID)')
    .requiredOption('--host <name>', 'the public host name of the bot, e.g. chatops.contoso.com')
    .option('--out <file>', 'where to write the zip', 'exchange-chatops-teams.zip')
    .option('--app-version <x.y.z>', "the app's version; bump it for every re-upload")
    .addHelpText(
      'after',
      '\nExample:\n  exchange-chatops teams package --app-id 00000000-0000-0000-0000-000000000000 \\\n' +
        '    --host chatops.contoso.com --out exchange-chatops-teams.zip',
    )
    .action(async (opts: { appId?: string; host: string; out: string; appVersion?: string }) => {
      const appId = opts.appId ?? process.env.TEAMS_APP_ID;
      if (!appId) {
        io.err('teams package: give --app-id or set TEAMS_APP_ID\n');
        process.exitCode = 2;
        return;
      }
      try {
        const zip = await buildAppPackage({
          appId,
          host: opts.host,
          appVersion: opts.appVersion,
        });
        const path = resolve(opts.out);
        writeFileSync(path, zip);
        io.out(`wrote ${path} (app ${appId.toLowerCase()}, host ${opts.host.toLowerCase()})\n`);
      } catch (err) {
        if (!(err instanceof AppPackageError)) throw err;
        io.err(`teams package: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
