import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

/**
 * The import-boundary rule is what keeps the pure core pure; these tests prove it fires (and does
 * not fire where it should not), by linting small sources as if they lived at a given path.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('pure-core import boundary', () => {
  it('fails a core file that imports the ELBv2 SDK client', async () => {
    const ids = await ruleIds(
      'src/model/bad.ts',
      "import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';\nexport const c = ElasticLoadBalancingV2Client;\n",
    );
    assert.deepEqual(ids, ['@typescript-eslint/no-restricted-imports']);
  });

  for (const [file, source] of [
    ['src/ingress/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    ['src/envoy/render-listener.ts', "import net from 'node:net';\nexport const n = net;\n"],
    ['src/aws/plan.ts', "import { spawn } from 'node:child_process';\nexport const s = spawn;\n"],
    ['src/model/y.ts', "import pino from 'pino';\nexport const p = pino;\n"],
    ['src/model/z.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n"],
    ['src/ingress/w.ts', "import http from 'http';\nexport const h = http;\n"],
  ] as const) {
    it(`fails ${file} importing ${source.split("'")[1]}`, async () => {
      assert.deepEqual(await ruleIds(file, source), ['@typescript-eslint/no-restricted-imports']);
    });
  }

  it('fails a core file that reads the clock or randomness', async () => {
    const ids = await ruleIds(
      'src/model/t.ts',
      'export const a = Date.now();\nexport const b = Math.random();\nexport const c = new Date();\n',
    );
    assert.deepEqual(ids, ['no-restricted-properties', 'no-restricted-properties', 'no-restricted-syntax']);
  });

  it('allows type-only Kubernetes client imports and node:crypto in the core', async () => {
    const ids = await ruleIds(
      'src/model/ok.ts',
      "import type { V1Ingress } from '@kubernetes/client-node';\nimport { createHash } from 'node:crypto';\nexport type I = V1Ingress;\nexport const h = createHash;\n",
    );
    assert.deepEqual(ids, []);
  });

  it('allows the shell to import the SDK', async () => {
    const ids = await ruleIds(
      'src/aws/apply.ts',
      "import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';\nexport const c = ElasticLoadBalancingV2Client;\n",
    );
    assert.deepEqual(ids, []);
  });

  it('keeps the emulators independent of the controller', async () => {
    const ids = await ruleIds(
      'src/emulator/aws/x.ts',
      "import { plan } from '../../aws/plan.ts';\nexport const p = plan;\n",
    );
    assert.deepEqual(ids, ['@typescript-eslint/no-restricted-imports']);
    const ok = await ruleIds(
      'src/emulator/aws/y.ts',
      "import { route } from '../../model/route.ts';\nexport const r = route;\n",
    );
    assert.deepEqual(ok, []);
  });
});
