import type { Command } from 'commander';
import { buildProgram } from './main';

/**
 * `--help` at 80 columns (commander's width when stdout is not a terminal): commander wraps the
 * texts, so no line is wider, and no paragraph has a hard line break of its own that would leave
 * a short line in its middle.
 */
function helpOf(path: string[]): string {
  let cmd: Command = buildProgram();
  for (const name of path) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub) throw new Error(`no command ${path.join(' ')}`);
    cmd = sub;
  }
  cmd.configureHelp({ helpWidth: 80 });
  return cmd.helpInformation();
}

const COMMANDS = [[], ['serve'], ['worker'], ['demo'], ['teams', 'package'], ['send-alert']];

test.each(COMMANDS.map((c) => [c.join(' ') || '(top level)', c]))(
  '%s --help fits 80 columns, its paragraphs wrapped by commander',
  (_name, path) => {
    const text = helpOf(path as string[]);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    // The description: from after "Usage:" to the first section heading.
    const start = lines.findIndex((l) => l.startsWith('Usage:')) + 2;
    const end = lines.findIndex((l, i) => i >= start && /^(Options|Commands|Arguments):/.test(l));
    const description = lines.slice(start, end);
    const ragged = description.filter(
      (l, i) => l.trim() !== '' && l.length < 50 && (description[i + 1] ?? '').trim() !== '',
    );
    expect(ragged).toEqual([]);
  },
);
