import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Exit status for usage errors (unknown command, bad flag), as most Unix tools use. */
export const EXIT_USAGE = 2;

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** One line for `--help`. */
  readonly description: string;
  /** Placeholder shown in `--help` for string options, e.g. `PORT`. */
  readonly valueName?: string;
};

/** A CLI command: one file per command under src/cli, registered in `commands.ts`. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Positional arguments as shown in the usage line, e.g. `[aws|kube]`. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Longer help text printed after the options. */
  readonly details?: string;
  run(values: ParsedValues, positionals: readonly string[]): Promise<number>;
}

export type ParsedValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

/** Thrown for a usage error; the CLI prints `message` on one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(
  command: Command,
  argv: readonly string[],
): { values: ParsedValues; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    const { description: _d, valueName: _v, ...rest } = spec;
    options[name] = rest;
  }
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (e: unknown) {
    // parseArgs appends advice after the first sentence; the first sentence is the reason.
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.split('. ')[0] ?? '';
    throw new UsageError(`portico ${command.name}: ${message}`);
  }
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: portico ${command.name}${command.positionals ? ` ${command.positionals}` : ''} [options]`, ''];
  lines.push(command.summary, '', 'Options:');
  const entries: Array<[string, string]> = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
    const dflt = spec.default !== undefined && spec.type === 'string' ? ` (default: ${String(spec.default)})` : '';
    return [`${short}--${name}${value}`, `${spec.description}${dflt}`];
  });
  entries.push(['-h, --help', 'Show this help']);
  const width = Math.max(...entries.map(([l]) => l.length));
  for (const [left, right] of entries) lines.push(`  ${left.padEnd(width)}  ${right}`);
  if (command.details) lines.push('', command.details);
  return `${lines.join('\n')}\n`;
}

/** Parses a TCP port flag; throws a UsageError naming the flag. */
export function portFlag(command: string, flag: string, value: unknown): number {
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new UsageError(`portico ${command}: --${flag} must be a port number 0-65535, got '${text}'`);
  }
  return n;
}
