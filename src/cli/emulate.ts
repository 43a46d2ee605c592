import type { Command } from './command.ts';
import { UsageError } from './command.ts';

/**
 * `portico emulate aws|kube`: run one emulator alone. Each emulator's wiring lives in its own file
 * (`emulate-aws.ts`, `emulate-kube.ts`) and is loaded only when asked for.
 */
export const emulateCommand: Command = {
  name: 'emulate',
  summary: 'Run one emulator alone: the AWS APIs (aws) or the Kubernetes API server (kube)',
  positionals: 'aws|kube',
  options: {
    port: { type: 'string', valueName: 'PORT', description: 'Port on 127.0.0.1 (aws: 4566, kube: 6443)' },
    host: { type: 'string', valueName: 'ADDR', default: '127.0.0.1', description: 'Address to listen on' },
    kubeconfig: { type: 'string', valueName: 'FILE', description: 'kube: write a kubeconfig for clients here' },
    profile: { type: 'string', valueName: 'NAME', description: "aws: latency/rate-limit profile ('aws-like')" },
  },
  details: 'Both emulators run until interrupted (Ctrl-C).',
  async run(values, positionals) {
    const [which, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`portico emulate: unexpected argument '${extra[0]}'`);
    if (which === 'aws') return (await import('./emulate-aws.ts')).runAwsEmulator(values);
    if (which === 'kube') return (await import('./emulate-kube.ts')).runKubeEmulator(values);
    throw new UsageError(`portico emulate: expected 'aws' or 'kube', got '${which ?? ''}'`);
  },
};
