/**
 * `portico plan` output against golden files: each folder holds `ingress.yaml` (plus the shared
 * `_cluster.yaml`), and the expected `plan.txt` and `plan.json`, produced by running the real CLI.
 * `UPDATE_GOLDEN=1` rewrites them (review the diff).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', '..', 'src', 'cli', 'main.ts');
const cases = readdirSync(here).filter((d) => statSync(join(here, d)).isDirectory());

async function plan(dir: string, output: 'text' | 'json'): Promise<string> {
  const args = [
    main,
    'plan',
    '-f',
    join(here, '_cluster.yaml'),
    '-f',
    join(dir, 'ingress.yaml'),
    '--output',
    output,
    '--cluster-name',
    'golden',
  ];
  const { stdout } = await run(process.execPath, args, { env: { ...process.env, PORTICO_LOG_LEVEL: 'silent' } });
  return stdout;
}

describe('portico plan: golden files', () => {
  for (const name of cases) {
    it(name.replace(/-/g, ' '), async () => {
      const dir = join(here, name);
      for (const [file, output] of [
        ['plan.txt', 'text'],
        ['plan.json', 'json'],
      ] as const) {
        const got = await plan(dir, output);
        const path = join(dir, file);
        if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, got);
        assert.equal(got, readFileSync(path, 'utf8'), `${name}/${file}`);
      }
    });
  }
});
