import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer } from '../../../src/emulator/kube/index.ts';
import type { KubeApiServer, KubeApiServerOptions } from '../../../src/emulator/kube/index.ts';
import { toolPath } from '../../../scripts/setup-tools.ts';

/** A server on 127.0.0.1:0 with its kubeconfig written to a temporary directory. */
export interface Harness {
  readonly server: KubeApiServer;
  readonly dir: string;
  readonly kubeconfigPath: string;
  /** Runs the real kubectl 1.35 against the server (asynchronously: the server shares this process). */
  kubectl(args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startHarness(options: KubeApiServerOptions = {}): Promise<Harness> {
  const server = await startKubeApiServer({ ...options, host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'portico-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig());
  const kubectl: Harness['kubectl'] = (args, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(
        toolPath('kubectl'),
        ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...args],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  return {
    server,
    dir,
    kubeconfigPath,
    kubectl,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` on the event loop (no wall-clock assertions) until it returns true or `tries` run out. */
export async function eventually(check: () => boolean | Promise<boolean>, tries = 200, stepMs = 10): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error('condition not met in time');
}

export const ingressYaml = (name: string, port = 80, extra = '') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
spec:
  ingressClassName: portico
  rules:
  - host: ${name}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: ${port}
${extra}`;
