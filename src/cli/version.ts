import { readFile } from 'node:fs/promises';
import type { Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the Portico and Node.js versions',
  options: {
    json: { type: 'boolean', description: 'Print JSON' },
  },
  async run(values) {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const info = { portico: pkg.version, node: process.versions.node };
    process.stdout.write(
      values['json'] === true ? `${JSON.stringify(info)}\n` : `portico ${info.portico} (node ${info.node})\n`,
    );
    return 0;
  },
};
