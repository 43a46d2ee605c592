import type { Command } from './command.ts';

/**
 * Every command the CLI offers. Only commands that exist are listed; each lives in its own file and
 * is loaded lazily so `portico --help` stays fast.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'controller',
    summary: 'Run the Ingress controller (in-cluster or with a kubeconfig)',
    load: async () => (await import('./controller.ts')).controllerCommand,
  },
  {
    name: 'local',
    summary: 'Run the whole system on this machine (Kubernetes API, AWS emulator, controller, data plane)',
    load: async () => (await import('./local.ts')).localCommand,
  },
  {
    name: 'version',
    summary: 'Print the Portico and Node.js versions',
    load: async () => (await import('./version.ts')).versionCommand,
  },
  {
    name: 'emulate',
    summary: 'Run one emulator alone: the AWS APIs (aws) or the Kubernetes API server (kube)',
    load: async () => (await import('./emulate.ts')).emulateCommand,
  },
  {
    name: 'plan',
    summary: 'Show the load balancers, priority tables and AWS calls for the Ingresses in manifests',
    load: async () => (await import('./plan.ts')).planCommand,
  },
  {
    name: 'proxy',
    summary: 'Run the bundled data plane from an Envoy v3 bootstrap (static resources or ADS)',
    load: async () => (await import('./proxy.ts')).proxyCommand,
  },
  {
    name: 'render',
    summary: 'Print the Envoy v3 bootstrap for the Ingresses in manifests (static resources, or ADS)',
    load: async () => (await import('./render.ts')).renderCommand,
  },
];
