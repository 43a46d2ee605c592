import { readFileSync } from 'node:fs';
import { UsageError } from './command.ts';

/** Reads `-f` manifest files (`-` is standard input) into one multi-document YAML text. */
export function readManifestFiles(command: string, files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        return readFileSync(f === '-' ? 0 : f, 'utf8');
      } catch (e: unknown) {
        throw new UsageError(`portico ${command}: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
    })
    .join('\n---\n');
}
