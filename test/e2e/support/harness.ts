import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../../../scripts/setup-tools.ts';
import { startEchoServer } from '../../../src/local/echo-server.ts';
import type { EchoServer } from '../../../src/local/echo-server.ts';
import { startLocal } from '../../../src/local/run.ts';
import type { LocalSystem } from '../../../src/local/run.ts';
import { silentLogger } from '../../../src/log.ts';

/**
 * One `portico local` per provider per test file, started in-process on port 0 for the Kubernetes
 * API and the AWS emulator, driven from outside with the real kubectl and real HTTP/TLS clients.
 */

export type ProviderName = 'aws' | 'envoy';
export const PROVIDERS: readonly ProviderName[] = ['aws', 'envoy'];

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LoadBalancerStatus {
  readonly ip: string;
  readonly hostname: string;
}

export interface E2e {
  readonly system: LocalSystem;
  readonly provider: ProviderName;
  /** The namespace this test file owns (created at start). */
  readonly namespace: string;
  /** Listener port P is served on `port(P)`. */
  port(listenerPort: number): number;
  readonly dir: string;
  /** Runs the real kubectl against the system; never throws on a non-zero exit. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  /** `kubectl apply -f -` in the file's namespace; throws with kubectl's stderr on failure. */
  apply(yaml: string): Promise<void>;
  /** Waits with `kubectl wait --for=jsonpath` until the Ingress has an address, then reads it. */
  address(ingress: string, timeoutSeconds?: number): Promise<LoadBalancerStatus>;
  /** An echo backend on 127.0.0.1:0, closed with the system. */
  echo(name: string): Promise<EchoServer>;
  close(): Promise<void>;
}

/**
 * Port offsets: parallel test files must not bind the same address:port. Load-balancer addresses
 * are hashed from names that contain the file's namespace, and the offset comes from the pid, in
 * steps of 100 below the ephemeral range (32768+) and the NodePort range (30000+).
 */
function portOffsetFor(provider: ProviderName): number {
  const slot = (process.pid % 95) * 2 + (provider === 'envoy' ? 1 : 0);
  return 10_000 + slot * 100;
}

export async function startE2e(
  provider: ProviderName,
  namespace: string,
  options: { controllerFlags?: Readonly<Record<string, string | boolean>> } = {},
): Promise<E2e> {
  const dir = mkdtempSync(join(tmpdir(), `portico-e2e-${provider}-`));
  const portOffset = portOffsetFor(provider);
  const echoes: EchoServer[] = [];
  let system: LocalSystem;
  try {
    system = await startLocal({
      kubePort: 0,
      awsPort: 0,
      stateDir: join(dir, 'state'),
      provider,
      portOffset,
      log: silentLogger(),
      ...(options.controllerFlags !== undefined ? { controllerFlags: options.controllerFlags } : {}),
    });
  } catch (e: unknown) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const kubeconfigPath = system.kubeconfigPath;
  const kubectl = (args: readonly string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        toolPath('kubectl'),
        ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), ...args],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  const must = async (args: readonly string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const e2e: E2e = {
    system,
    provider,
    namespace,
    dir,
    port: (p) => p + portOffset,
    kubectl,
    async apply(yaml) {
      await must(['apply', '-n', namespace, '-f', '-'], yaml);
    },
    async address(ingress, timeoutSeconds = 60) {
      await must([
        'wait',
        '-n',
        namespace,
        `ingress/${ingress}`,
        '--for=jsonpath={.status.loadBalancer.ingress[0].ip}',
        `--timeout=${timeoutSeconds}s`,
      ]);
      const out = await must([
        'get',
        '-n',
        namespace,
        `ingress/${ingress}`,
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip} {.status.loadBalancer.ingress[0].hostname}',
      ]);
      const [ip = '', hostname = ''] = out.trim().split(' ');
      return { ip, hostname };
    },
    async echo(name) {
      const e = await startEchoServer(name);
      echoes.push(e);
      return e;
    },
    async close() {
      await system.close();
      await Promise.all(echoes.map((e) => e.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await must(['create', 'namespace', namespace]);
  } catch (e: unknown) {
    await e2e.close();
    throw e;
  }
  return e2e;
}
