import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import type { ControllerMetrics } from '../metrics/metrics.ts';
import { NotLeaderError } from './group-reconciler.ts';
import type { Provider, SecretLookup } from './provider.ts';

/** What a provider needs from the rest of the controller. */
export interface ProviderDeps {
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  readonly secret: SecretLookup;
  readonly instanceAddresses: () => Readonly<Record<string, string>>;
  /** Whether this replica may write; AWS writes are refused (NotLeader) when it may not. */
  readonly mayWrite: () => boolean;
}

/** Read-only AWS operations: allowed on any replica, so standbys could warm caches. */
const READ_ONLY = /^(Describe|List|Get)/;

/** Builds the provider `config.provider` names; each is loaded only when chosen. */
export async function createProvider(config: Config, deps: ProviderDeps): Promise<Provider> {
  if (config.provider === 'aws') {
    const [{ createAwsClients }, { AwsCaller, createAwsMetrics }, { AwsDataPlane }] = await Promise.all([
      import('../aws/clients.ts'),
      import('../aws/calls.ts'),
      import('./provider-aws.ts'),
    ]);
    const clients = createAwsClients({
      region: config.awsRegion,
      ...(config.awsEndpoint !== undefined ? { endpoint: config.awsEndpoint } : {}),
    });
    const caller = new AwsCaller({
      metrics: createAwsMetrics(deps.metrics.registry),
      // The fence: a replica that lost its lease stops before its next AWS write, even mid-plan.
      beforeCall: (operation) => {
        if (!READ_ONLY.test(operation) && !deps.mayWrite()) throw new NotLeaderError();
      },
    });
    return new AwsDataPlane({
      clients,
      caller,
      clusterName: config.clusterName,
      log: deps.log.child({ provider: 'aws' }),
      secret: deps.secret,
      now: () => Date.now(),
    });
  }
  const [{ AdsServer }, { EnvoyDataPlane }, { parseListenAddress }] = await Promise.all([
    import('../envoy/xds/server.ts'),
    import('./provider-envoy.ts'),
    import('../metrics/server.ts'),
  ]);
  const listen = parseListenAddress(config.xdsAddress);
  if (listen === undefined) throw new Error(`--xds-address: want host:port, got '${config.xdsAddress}'`);
  const server = new AdsServer({ logger: deps.log.child({ provider: 'envoy' }) });
  const port = await server.listen(listen.host, listen.port);
  deps.log.info({ xds: `${listen.host}:${port}` }, 'ADS server listening');
  return new EnvoyDataPlane({
    server,
    log: deps.log.child({ provider: 'envoy' }),
    secret: deps.secret,
    instanceAddresses: deps.instanceAddresses,
  });
}
