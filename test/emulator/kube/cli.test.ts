import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from '../../../scripts/setup-tools.ts';

describe('portico emulate kube', () => {
  it('serves namespaces default and kube-system, writes a kubeconfig, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-emulate-kube-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, [
      'src/cli/main.ts',
      'emulate',
      'kube',
      '--port',
      '0',
      '--kubeconfig',
      kubeconfig,
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('Press Ctrl-C') && resolve());
        child.on('close', () => reject(new Error(`exited early: ${out}`)));
      });
      assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.match(out, new RegExp(`export KUBECONFIG=${kubeconfig}`));
      assert.match(readFileSync(kubeconfig, 'utf8'), /insecure-skip-tls-verify: true/);
      const { stdout } = await promisify(execFile)(toolPath('kubectl'), [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(dir, 'cache'),
        'get',
        'namespaces',
        '-o',
        'name',
      ]);
      assert.deepEqual(stdout.trim().split('\n'), ['namespace/default', 'namespace/kube-system']);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(out, /Kubernetes API server stopped\./);
  });

  it('refuses a bad --port with a usage error', async () => {
    const failure = await promisify(execFile)(process.execPath, [
      'src/cli/main.ts',
      'emulate',
      'kube',
      '--port',
      'nope',
    ]).then(
      () => assert.fail('expected a usage error'),
      (e: unknown) => e as { code: number; stderr: string },
    );
    assert.equal(failure.code, 2);
    assert.equal(failure.stderr.trim(), "portico emulate kube: --port must be a port number 0-65535, got 'nope'");
  });
});
