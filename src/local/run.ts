import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { startAwsEmulator } from '../emulator/aws/index.ts';
import type { AwsEmulator } from '../emulator/aws/index.ts';
import { startKubeApiServer } from '../emulator/kube/index.ts';
import type { KubeApiServer } from '../emulator/kube/index.ts';
import { AdsServer } from '../envoy/xds/server.ts';
import { ConfigError } from '../errors/base.ts';
import { KubeApi } from '../k8s/api.ts';
import type { Logger } from '../log.ts';
import { ControllerMetrics } from '../metrics/metrics.ts';
import type { Stack } from '../model/stack.ts';
import { ProxyRuntime } from '../proxy/runtime.ts';
import { AdsClient } from '../proxy/xds/ads-client.ts';
import { Controller } from '../reconcile/controller.ts';
import type { LoadBalancerAddress, Provider } from '../reconcile/provider.ts';
import { EnvoyDataPlane } from '../reconcile/provider-envoy.ts';
import { createProvider } from '../reconcile/providers.ts';
import { LoopbackAddresses } from './addresses.ts';
import { AwsDataPlane } from './aws-data-plane.ts';
import type { ServedLoadBalancer } from './aws-data-plane.ts';
import { KubeProxy } from './kube-proxy.ts';
import { nodePortServices } from './node-ports.ts';
import { LOCAL_CLUSTER_NAME, LOCAL_INSTANCE_ID, LOCAL_NODE_ADDRESS, LOCAL_REGION, localSeed } from './seed.ts';

/**
 * `portico local`: the Kubernetes API, the AWS emulator, the controller, the data plane and a
 * kube-proxy stand-in in one process, wired as DESIGN.md's "`portico local`" contract says.
 */
export interface LocalOptions {
  /** @default 6443 */
  readonly kubePort?: number;
  /** @default 4566 */
  readonly awsPort?: number;
  /** @default '.portico' */
  readonly stateDir?: string;
  /** @default 'aws' */
  readonly provider?: 'aws' | 'envoy';
  /** Listener port P is served on P + offset. @default 8000 */
  readonly portOffset?: number;
  readonly log: Logger;
  /** Told when the set of load balancers that serve traffic changes. */
  readonly onServing?: (served: readonly ServedLoadBalancer[]) => void;
  /** Extra controller flags (as `portico controller` takes them), e.g. `{ 'no-rule-packing': true }`. */
  readonly controllerFlags?: Readonly<Record<string, string | boolean>>;
}

export interface LocalSystem {
  readonly kube: KubeApiServer;
  readonly aws: AwsEmulator;
  readonly controller: Controller;
  readonly proxy: ProxyRuntime;
  readonly kubeconfigPath: string;
  readonly addresses: LoopbackAddresses;
  readonly provider: 'aws' | 'envoy';
  readonly portOffset: number;
  /** Load balancers currently serving traffic. */
  served(): readonly ServedLoadBalancer[];
  close(): Promise<void>;
}

/** Fails with a clear message when a port we must own is taken (e.g. by a second `portico local`). */
async function assertFree(host: string, port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolvePromise, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          e.code === 'EADDRINUSE'
            ? `${what} port ${host}:${port} is already in use (is another 'portico local' running?); choose another with --${what === 'Kubernetes API' ? 'kube' : 'aws'}-port`
            : `cannot listen on ${host}:${port} for the ${what}: ${e.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolvePromise()));
  });
}

/** DNS-like name for an envoy-provider load balancer (there is no AWS to name it). */
function envoyHostname(stack: Stack): string {
  return `${stack.loadBalancer.name}.elb.portico.local`;
}

/** Adds the load balancer's loopback address to what the AWS provider reports (its DNS name). */
function withLoopbackAddress(provider: Provider, addresses: LoopbackAddresses): Provider {
  return {
    name: provider.name,
    prepare: () => provider.prepare(),
    async apply(stack, options): Promise<LoadBalancerAddress | undefined> {
      const reported = await provider.apply(stack, options);
      return { ...reported, ip: addresses.addressFor(stack.loadBalancer.name) };
    },
    applyTargets: (stack) => provider.applyTargets(stack),
    delete: (stackId) => provider.delete(stackId),
    close: () => provider.close(),
  };
}

export async function startLocal(options: LocalOptions): Promise<LocalSystem> {
  const host = '127.0.0.1';
  const kubePort = options.kubePort ?? 6443;
  const awsPort = options.awsPort ?? 4566;
  const providerName = options.provider ?? 'aws';
  const portOffset = options.portOffset ?? 8000;
  const stateDir = resolve(options.stateDir ?? '.portico');
  const log = options.log;
  await assertFree(host, kubePort, 'Kubernetes API');
  await assertFree(host, awsPort, 'AWS emulator');

  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e: unknown) {
        log.warn({ err: e }, 'portico local: error while shutting down');
      }
    }
    cleanups.length = 0;
  };
  try {
    const kube = await startKubeApiServer({ host, port: kubePort, seed: localSeed() });
    cleanups.push(() => kube.close());
    mkdirSync(stateDir, { recursive: true });
    const kubeconfigPath = join(stateDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kube.kubeconfig(), { mode: 0o600 });

    const aws = await startAwsEmulator({
      host,
      port: awsPort,
      defaultRegion: LOCAL_REGION,
      instanceAddress: () => LOCAL_NODE_ADDRESS,
      log: log.child({ component: 'aws-emulator' }),
    });
    cleanups.push(() => aws.close());

    const addresses = new LoopbackAddresses();
    const proxy = new ProxyRuntime({ log: log.child({ component: 'proxy' }) });
    cleanups.push(() => proxy.stop());

    // NodePorts on the node address, kept in step with Services and EndpointSlices.
    const kubeProxy = new KubeProxy({ nodeAddress: LOCAL_NODE_ADDRESS, log: log.child({ component: 'kube-proxy' }) });
    let seenVersion = '';
    const syncNodePorts = async () => {
      const version = kube.store.resourceVersion;
      if (version === seenVersion) return;
      seenVersion = version;
      const services = kube.store.list('v1', 'Service');
      const slices = kube.store.list('discovery.k8s.io/v1', 'EndpointSlice');
      await kubeProxy.update(nodePortServices(services, slices));
    };
    await syncNodePorts();
    const nodePortTimer = setInterval(() => void syncNodePorts().catch((e: unknown) => log.warn({ err: e })), 250);
    cleanups.push(async () => {
      clearInterval(nodePortTimer);
      await kubeProxy.close();
    });

    // The controller, exactly as `portico controller` builds it, pointed at the emulators.
    const flags = {
      'cluster-name': LOCAL_CLUSTER_NAME,
      'aws-region': LOCAL_REGION,
      provider: providerName,
      'no-leader-election': true,
      'xds-address': `${host}:0`,
      'log-level': 'info',
      ...options.controllerFlags,
    };
    const config = loadConfig(flags, { AWS_ENDPOINT_URL: aws.url });
    if (Array.isArray(config)) {
      throw new ConfigError(config.map((p) => `${p.source}: ${p.message}`).join('; '));
    }
    // The SDK wants credentials even though the emulator accepts any.
    process.env['AWS_ACCESS_KEY_ID'] ??= 'portico-local';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'portico-local';
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    const api = new KubeApi(kc);
    const metrics = new ControllerMetrics({ defaultMetrics: false });
    // The provider needs the controller (Secrets, leadership) and the controller needs the provider.
    const ref: { controller?: Controller } = {};
    const deps = {
      log: log.child({ component: 'controller' }),
      metrics,
      secret: (key: string) => ref.controller?.view.secret(key) ?? Promise.resolve(undefined),
      instanceAddresses: () => ({ [LOCAL_INSTANCE_ID]: LOCAL_NODE_ADDRESS }),
      mayWrite: () => ref.controller?.isLeader ?? false,
    };
    let provider: Provider;
    let served: () => readonly ServedLoadBalancer[];
    if (providerName === 'aws') {
      provider = withLoopbackAddress(await createProvider(config as Config, deps), addresses);
      const plane = new AwsDataPlane({
        state: aws.state,
        runtime: proxy,
        addresses,
        portOffset,
        instanceAddress: LOCAL_NODE_ADDRESS,
        log: log.child({ component: 'data-plane' }),
        ...(options.onServing !== undefined ? { onServing: options.onServing } : {}),
      });
      await plane.start();
      cleanups.push(() => plane.stop());
      served = () => plane.served;
    } else {
      const server = new AdsServer({ logger: log.child({ component: 'xds' }) });
      server.on('event', (e: unknown) => log.debug({ xds: e }, 'xds stream event'));
      const xdsPort = await server.listen(host, 0);
      const stacks = new Map<string, ServedLoadBalancer>();
      const envoy = new EnvoyDataPlane({
        server,
        log: log.child({ provider: 'envoy' }),
        secret: deps.secret,
        instanceAddresses: deps.instanceAddresses,
        bindAddress: (stack) => addresses.addressFor(stack.loadBalancer.name),
        portOffset,
        statusAddress: (stack) => {
          const address = addresses.addressFor(stack.loadBalancer.name);
          stacks.set(stack.id, {
            name: stack.loadBalancer.name,
            dnsName: envoyHostname(stack),
            address,
            ports: stack.listeners.map((l) => l.port + portOffset),
          });
          options.onServing?.([...stacks.values()]);
          return { hostname: envoyHostname(stack), ip: address };
        },
      });
      provider = {
        name: envoy.name,
        prepare: () => envoy.prepare(),
        apply: (stack) => envoy.apply(stack),
        applyTargets: (stack) => envoy.applyTargets(stack),
        async delete(stackId) {
          await envoy.delete(stackId);
          const gone = stacks.get(stackId);
          if (gone !== undefined) {
            stacks.delete(stackId);
            addresses.release(gone.name);
            options.onServing?.([...stacks.values()]);
          }
        },
        close: () => envoy.close(),
      };
      const ads = new AdsClient({
        source: { target: `${host}:${xdsPort}`, nodeId: 'portico-local', nodeCluster: 'portico', lds: true, cds: true },
        runtime: proxy,
      });
      ads.start();
      cleanups.push(async () => ads.stop());
      served = () => [...stacks.values()];
    }
    cleanups.push(() => provider.close());
    const c = new Controller({
      api,
      config: config as Config,
      provider,
      log: deps.log,
      metrics,
      identity: 'portico-local',
    });
    ref.controller = c;
    await c.start();
    cleanups.push(() => c.stop());
    return {
      kube,
      aws,
      controller: c,
      proxy,
      kubeconfigPath,
      addresses,
      provider: providerName,
      portOffset,
      served: () => served(),
      close,
    };
  } catch (e: unknown) {
    await close();
    throw e;
  }
}
