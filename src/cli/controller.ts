import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Command, OptionSpec, ParsedValues } from './command.ts';
import { UsageError } from './command.ts';
import { loadConfig } from '../config/config.ts';
import { KubeApi } from '../k8s/api.ts';
import { createLogger } from '../log.ts';
import { ControllerMetrics } from '../metrics/metrics.ts';
import { startHttpEndpoints } from '../metrics/server.ts';
import type { HttpEndpoints } from '../metrics/server.ts';
import { Controller } from '../reconcile/controller.ts';
import { createProvider } from '../reconcile/providers.ts';

const str = (description: string, valueName = 'VALUE'): OptionSpec => ({ type: 'string', description, valueName });
const bool = (description: string): OptionSpec => ({ type: 'boolean', description });

/** `portico controller`: flags as in src/config/config.ts; environment fallbacks noted there. */
export const controllerCommand: Command = {
  name: 'controller',
  summary: 'Run the Ingress controller (in-cluster or with a kubeconfig)',
  options: {
    provider: str('Data plane: aws (ALBs) or envoy (xDS) [PORTICO_PROVIDER]', 'NAME'),
    'cluster-name': str('Cluster name; scopes every AWS resource Portico owns [PORTICO_CLUSTER_NAME]', 'NAME'),
    'aws-region': str('AWS region [AWS_REGION, AWS_DEFAULT_REGION] (AWS endpoint from AWS_ENDPOINT_URL)', 'REGION'),
    kubeconfig: str('Kubeconfig file [KUBECONFIG]; default: in-cluster, then ~/.kube/config', 'FILE'),
    'watch-namespace': str('Namespaces to watch, comma-separated; default all [PORTICO_WATCH_NAMESPACE]', 'NS'),
    'ingress-class': str('Legacy kubernetes.io/ingress.class value that means Portico (default portico)', 'NAME'),
    'controller-name': str('IngressClass spec.controller (default portico.dev/ingress-controller)', 'NAME'),
    'annotation-prefix': str('Annotation prefix (default alb.ingress.kubernetes.io/)', 'PREFIX'),
    'default-target-type': str('instance or ip (default instance)', 'TYPE'),
    'default-scheme': str('internal or internet-facing (default internal)', 'SCHEME'),
    'default-ssl-policy': str('SSL policy of HTTPS listeners unless annotated', 'POLICY'),
    'default-load-balancing-algorithm': str('round_robin, least_outstanding_requests or weighted_random', 'ALGORITHM'),
    'default-target-group-attributes': str('Target-group attributes, k=v,k2=v2', 'ATTRS'),
    'default-tags': str('Tags on every AWS resource, k=v,k2=v2', 'TAGS'),
    'no-rule-packing': bool('Do not merge rules that share an action'),
    'max-concurrent-reconciles': str('Groups reconciled at once, 1-100 (default 3)', 'N'),
    'drift-check-interval': str('Full resync of every group (default 1h)', 'DURATION'),
    'metrics-address': str('Listen address of /metrics (default :8080)', 'ADDR'),
    'health-address': str('Listen address of /healthz and /readyz (default :8081)', 'ADDR'),
    'no-leader-election': bool('Act as leader at once (one replica only)'),
    'leader-election-namespace': str('Namespace of the Lease [POD_NAMESPACE] (default kube-system)', 'NS'),
    'leader-election-id': str('Name of the Lease (default portico-controller)', 'NAME'),
    'leader-election-lease-duration': str('Lease duration (default 15s)', 'DURATION'),
    'leader-election-renew-deadline': str('Renew deadline (default 10s)', 'DURATION'),
    'leader-election-retry-period': str('Retry period (default 2s)', 'DURATION'),
    'xds-address': str('envoy provider: where the ADS server listens (default 127.0.0.1:18000)', 'ADDR'),
    'log-level': str('trace, debug, info, warn, error, fatal or silent [PORTICO_LOG_LEVEL]', 'LEVEL'),
  },
  details:
    'SIGTERM or SIGINT stops gracefully: running reconciles finish, then the leader releases its Lease.\n' +
    'Status: status.loadBalancer.ingress[0] and the portico.dev/conditions annotation; see docs/controller.md.',
  run: runController,
};

function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file !== undefined) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

async function runController(values: ParsedValues): Promise<number> {
  const config = loadConfig(values, process.env);
  if (Array.isArray(config)) {
    throw new UsageError(
      `portico controller: invalid configuration:\n${config.map((p) => `  ${p.source}: ${p.message}`).join('\n')}`,
    );
  }
  const log = createLogger({ level: config.logLevel, base: { component: 'controller' } });
  const identity = `${hostname()}_${randomUUID().slice(0, 8)}`;
  const api = new KubeApi(loadKubeConfig(config.kubeconfig));
  const metrics = new ControllerMetrics({ defaultMetrics: true });
  // The provider and the controller need each other: the provider reads Secrets through the
  // controller's view and asks it whether this replica leads.
  const ref: { controller?: Controller } = {};
  const provider = await createProvider(config, {
    log,
    metrics,
    secret: (key: string) => ref.controller?.view.secret(key) ?? Promise.resolve(undefined),
    instanceAddresses: () => ref.controller?.view.instanceAddresses() ?? {},
    mayWrite: () => ref.controller?.isLeader ?? false,
  });
  const c = new Controller({ api, config, provider, log, metrics, identity });
  ref.controller = c;
  const endpoints: HttpEndpoints[] = [];
  if (config.metricsAddress === config.healthAddress) {
    endpoints.push(
      await startHttpEndpoints({ address: config.metricsAddress, registry: metrics.registry, ready: () => c.ready }),
    );
  } else {
    endpoints.push(await startHttpEndpoints({ address: config.metricsAddress, registry: metrics.registry }));
    endpoints.push(await startHttpEndpoints({ address: config.healthAddress, ready: () => c.ready }));
  }
  log.info({ identity, provider: config.provider, endpoints: endpoints.map((e) => e.url) }, 'controller starting');
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  void c.start().catch((e: unknown) => log.error({ err: e }, 'controller failed to start'));
  const signal = await stopped;
  log.info({ signal }, 'stopping: finishing running reconciles, then releasing the lease');
  await c.stop();
  await provider.close();
  await Promise.all(endpoints.map((e) => e.close()));
  api.close();
  log.info('stopped');
  log.flush();
  return 0;
}
