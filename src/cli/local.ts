import type { Command } from './command.ts';
import { portFlag, UsageError } from './command.ts';
import { createLogger } from '../log.ts';
import { startLocal } from '../local/run.ts';
import type { ServedLoadBalancer } from '../local/aws-data-plane.ts';
import { startDemo } from '../local/demo.ts';
import { untilStopSignal } from './signals.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** `portico local`: the whole system on one machine (DESIGN.md, "`portico local`"). */
export const localCommand: Command = {
  name: 'local',
  summary: 'Run the whole system on this machine: Kubernetes API, AWS emulator, controller and data plane',
  options: {
    'kube-port': {
      type: 'string',
      valueName: 'PORT',
      default: '6443',
      description: 'Kubernetes API port on 127.0.0.1',
    },
    'aws-port': { type: 'string', valueName: 'PORT', default: '4566', description: 'AWS emulator port on 127.0.0.1' },
    'state-dir': {
      type: 'string',
      valueName: 'DIR',
      default: '.portico',
      description: 'Where the kubeconfig is written',
    },
    provider: {
      type: 'string',
      valueName: 'NAME',
      default: 'aws',
      description: 'aws: the controller calls the emulator, whose ALBs serve traffic; envoy: xDS to the proxy',
    },
    'port-offset': {
      type: 'string',
      valueName: 'N',
      default: '8000',
      description: 'Listener port P is served on P + N (80 → 8080, 443 → 8443)',
    },
    demo: { type: 'boolean', description: 'Start echo backends and a demo Ingress, then print curl commands' },
    'log-level': {
      type: 'string',
      valueName: 'LEVEL',
      default: 'warn',
      description: 'Log level of the JSON logs on stderr',
    },
  },
  details: 'Each load balancer gets its own address in 127.0.1.0/24. Stop with Ctrl-C.',
  async run(values) {
    const provider = String(values['provider']);
    if (provider !== 'aws' && provider !== 'envoy') {
      throw new UsageError(`portico local: --provider must be aws or envoy, got '${provider}'`);
    }
    const kubePort = portFlag('local', 'kube-port', values['kube-port']);
    const awsPort = portFlag('local', 'aws-port', values['aws-port']);
    const offsetText = String(values['port-offset']);
    const portOffset = Number(offsetText);
    if (!/^\d+$/.test(offsetText) || portOffset + 443 > 65535) {
      throw new UsageError(`portico local: --port-offset must be a number 0-65092, got '${offsetText}'`);
    }
    const log = createLogger({ level: String(values['log-level']), base: { component: 'local' } });
    const startedAt = Date.now();
    let lastServed = '';
    const onServing = (served: readonly ServedLoadBalancer[]) => {
      const text = served
        .filter((s) => s.ports.length > 0)
        .map((s) => `  load balancer ${s.name} (${s.dnsName}) serving on ${s.address} ports ${s.ports.join(', ')}`);
      const joined = text.join('\n');
      if (joined !== lastServed && joined !== '') out(joined);
      lastServed = joined;
    };
    const system = await startLocal({
      kubePort,
      awsPort,
      stateDir: String(values['state-dir']),
      provider,
      portOffset,
      log,
      onServing,
    });
    out(`Portico local is running (provider: ${provider}).`);
    out(`  Kubernetes API  ${system.kube.url}`);
    out(`  AWS emulator    ${system.aws.url}   (AWS_ENDPOINT_URL=${system.aws.url})`);
    out(`  kubeconfig      ${system.kubeconfigPath}`);
    out('');
    out('Use kubectl with it:');
    out(`  export KUBECONFIG=${system.kubeconfigPath}`);
    out('  kubectl get ingress -A');
    out('');
    let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
    if (values['demo'] === true) {
      out('Starting the demo (echo backends, Services, EndpointSlices, a TLS Secret and an Ingress)…');
      demo = await startDemo(system);
      out(
        `Demo ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: Ingress default/demo → ${demo.hostname} (${demo.address})`,
      );
      out('');
      for (const r of demo.routes) {
        out(`# ${r.description} → ${r.expect}`);
        out(r.command);
      }
      out('');
    }
    out('Press Ctrl-C to stop.');
    const signal = await untilStopSignal();
    out(`\n${signal}: stopping…`);
    await demo?.close();
    await system.close();
    log.flush();
    out('Stopped.');
    return 0;
  },
};
