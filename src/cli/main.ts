#!/usr/bin/env node
/**
 * The package's command-line tool: `cdk-progressive-delivery <command> [options]`.
 * One file per command; this file only dispatches. Exit codes: 0 clean, 1 findings, 2 could not run.
 */
import { flags, FLAGS_SUMMARY } from './flags';
import { lintSql, LINT_SQL_SUMMARY } from './lint-sql';

/** A command: what it does (for --help) and how it runs; returns the exit code. */
interface Command {
  readonly summary: string;
  readonly run: (args: string[], out: (line: string) => void, err: (line: string) => void) => number;
}

const COMMANDS: Record<string, Command> = {
  'lint-sql': { summary: LINT_SQL_SUMMARY, run: lintSql },
  'flags': { summary: FLAGS_SUMMARY, run: flags },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map(c => c.length));
  return [
    'Usage: cdk-progressive-delivery <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "cdk-progressive-delivery <command> --help" for the options of a command.',
  ].join('\n');
}

/** Runs the tool with the arguments after the program name; returns the exit code. */
export function main(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    err(`cdk-progressive-delivery: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, out, err);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), line => process.stdout.write(`${line}\n`), line => process.stderr.write(`${line}\n`));
}
