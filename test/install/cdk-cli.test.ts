import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from './render.ts';

it('`cdk synth` works offline with the repository cdk.json, without AWS credentials', async () => {
  const out = mkdtempSync(join(tmpdir(), 'portico-cdk-cli-'));
  try {
    const env: Record<string, string | undefined> = {
      ...process.env,
      // No credentials and no instance metadata: the synth must not need AWS.
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    };
    await promisify(execFile)(
      join(repoRoot, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '--output', out, '--context', 'portico:clusterName=cli-test'],
      { cwd: repoRoot, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const template = JSON.parse(readFileSync(join(out, 'PorticoEks.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const cluster = Object.values(template.Resources).find((r) => r.Type === 'AWS::EKS::Cluster');
    assert.equal(cluster?.Properties['Name'], 'cli-test');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
