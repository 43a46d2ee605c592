import { commands } from './commands.ts';
import { commandHelp, EXIT_USAGE, parseCommandArgs, UsageError } from './command.ts';
import { errorMessage, isPorticoError } from '../errors/base.ts';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: portico <command> [options]

Portico: a Kubernetes Ingress controller for AWS Application Load Balancers.

Commands:
${list}

Run 'portico <command> --help' for a command's options.
`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) {
    process.stderr.write(`portico: unknown command '${name}' (see 'portico --help')\n`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values['help'] === true) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(values, positionals);
  } catch (e: unknown) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`portico ${name}: ${isPorticoError(e) ? `${e.code}: ` : ''}${errorMessage(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
