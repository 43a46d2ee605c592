import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParsedValues } from './command.ts';
import { portFlag } from './command.ts';
import { startKubeApiServer } from '../emulator/kube/index.ts';
import { untilStopSignal } from './signals.ts';

/**
 * `portico emulate kube`: the embedded Kubernetes API server alone, with namespaces `default` and
 * `kube-system`, until SIGINT/SIGTERM.
 */
export async function runKubeEmulator(values: ParsedValues): Promise<number> {
  const port = values['port'] === undefined ? 6443 : portFlag('emulate kube', 'port', values['port']);
  const host = typeof values['host'] === 'string' ? values['host'] : '127.0.0.1';
  const server = await startKubeApiServer({ host, port });
  const kubeconfigPath = typeof values['kubeconfig'] === 'string' ? resolve(values['kubeconfig']) : undefined;
  if (kubeconfigPath !== undefined) writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  const lines = [`Kubernetes API server (Portico emulator) listening on ${server.url}`];
  if (kubeconfigPath !== undefined) {
    lines.push(
      `kubeconfig written to ${kubeconfigPath}`,
      `  export KUBECONFIG=${kubeconfigPath}`,
      '  kubectl get namespaces',
    );
  } else {
    lines.push(
      `  kubectl --server ${server.url} get namespaces`,
      '  (pass --kubeconfig FILE to write a kubeconfig, which @kubernetes/client-node needs)',
    );
  }
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);
  await untilStopSignal();
  await server.close();
  process.stdout.write('Kubernetes API server stopped.\n');
  return 0;
}
