import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { kubeLeaseStore } from '../../src/k8s/lease-store.ts';
import { endpointSlice, ingress, portico, service, startKube, until } from './support/kube.ts';
import type { KubeFixture } from './support/kube.ts';

/**
 * `portico controller` as a process: configuration errors, health and metrics endpoints,
 * convergence through the real SDK, and a graceful SIGTERM that releases the Lease.
 */
describe('portico controller (the process)', () => {
  let kube: KubeFixture;
  let aws: AwsEmulator;
  let dir: string;
  let child: ChildProcess | undefined;
  const logs: Array<Record<string, unknown>> = [];

  before(async () => {
    kube = await startKube([portico(), service('web'), endpointSlice('web-1', 'web', ['127.0.0.10'])]);
    aws = await startAwsEmulator({ host: '127.0.0.1', port: 0, seed: 42 });
    dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
    writeFileSync(join(dir, 'kubeconfig'), kube.server.kubeconfig());
  });

  after(async () => {
    child?.kill('SIGKILL');
    await kube.close();
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    spawn(process.execPath, ['src/cli/main.ts', 'controller', ...args], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        PORTICO_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('refuses bad configuration with every problem named, before touching anything', async () => {
    const p = run(['--max-concurrent-reconciles', 'lots', '--default-scheme', 'public']);
    let err = '';
    p.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => p.on('exit', r));
    assert.equal(code, 2);
    assert.match(err, /--cluster-name: is required/);
    assert.match(err, /--max-concurrent-reconciles: must be an integer 1-100/);
    assert.match(err, /--default-scheme: must be one of internal, internet-facing, got 'public'/);
  });

  it('serves /healthz, /readyz and /metrics, converges, and stops gracefully on SIGTERM', async () => {
    const c = run([
      '--cluster-name=cli',
      `--kubeconfig=${join(dir, 'kubeconfig')}`,
      '--metrics-address=127.0.0.1:0',
      '--health-address=127.0.0.1:0',
      '--leader-election-namespace=kube-system',
    ]);
    child = c;
    createInterface({ input: c.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    });
    const started = await until('startup log', () => logs.find((l) => l['msg'] === 'controller starting'), 15_000);
    // Equal addresses share one server for /metrics, /healthz and /readyz.
    const [metricsUrl, healthUrl = metricsUrl] = started['endpoints'] as string[];
    assert.equal((await fetch(`${healthUrl}/healthz`)).status, 200);
    await until('ready', async () => (await fetch(`${healthUrl}/readyz`)).status === 200, 15_000);
    await until(
      'leading',
      async () => /^portico_leader 1$/m.test(await (await fetch(`${metricsUrl}/metrics`)).text()),
      15_000,
    );

    kube.server.store.create(
      ingress('web', { service: 'web', annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } }),
    );
    await until('load balancer', () => aws.state.loadBalancers().length === 1, 15_000);
    const metrics = await until('a reconcile counted', async () => {
      const text = await (await fetch(`${metricsUrl}/metrics`)).text();
      return /portico_reconcile_duration_seconds_count\{result="success"\} [1-9]/.test(text) ? text : undefined;
    });
    assert.match(metrics, /portico_aws_calls_total\{operation="CreateLoadBalancer",outcome="ok"\} 1/);
    assert.match(metrics, /portico_informer_objects\{informer="ingresses"\} 1/);

    const lease = kubeLeaseStore(kube.api, 'kube-system', 'portico-controller');
    assert.match((await lease.get())?.holderIdentity ?? '', /_/);
    c.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => c.on('exit', r));
    assert.equal(code, 0);
    assert.equal((await lease.get())?.holderIdentity, '');
    assert.ok(logs.some((l) => l['msg'] === 'stopped'));
  });
});
