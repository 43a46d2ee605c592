import type { AwsEmulatorState } from '../emulator/aws/index.ts';
import { certificateMaterial, toStack } from '../emulator/aws/to-stack.ts';
import { renderStacks } from '../envoy/render.ts';
import type { CertificateMaterial } from '../envoy/render-options.ts';
import { certificateKey } from '../envoy/render-options.ts';
import { readCluster } from '../proxy/config/cluster.ts';
import type { ClusterConfig } from '../proxy/config/cluster.ts';
import { readListener } from '../proxy/config/listener.ts';
import type { ListenerConfig } from '../proxy/config/listener.ts';
import type { ProxyRuntime } from '../proxy/runtime.ts';
import type { Logger } from '../log.ts';
import { errorMessage } from '../errors/base.ts';
import type { LoopbackAddresses } from './addresses.ts';

/**
 * Makes the AWS emulator's load balancers serve traffic: every load balancer the emulator holds is
 * converted to a model Stack, rendered to Envoy resources on its own loopback address, and handed
 * to the bundled proxy; on every emulator change (API call, health transition) it is done again.
 * One load balancer that cannot be served (a busy port, a config the proxy rejects) is logged and
 * skipped; the others keep serving.
 */
export interface ServedLoadBalancer {
  readonly name: string;
  readonly dnsName: string;
  readonly address: string;
  /** Bound ports, listener port + offset. */
  readonly ports: readonly number[];
}

export interface AwsDataPlaneOptions {
  readonly state: AwsEmulatorState;
  readonly runtime: ProxyRuntime;
  readonly addresses: LoopbackAddresses;
  readonly portOffset: number;
  /** Address of every EC2 instance (there is one node locally). */
  readonly instanceAddress: string;
  readonly log: Logger;
  /** Told whenever the set of served load balancers changes. */
  readonly onServing?: (served: readonly ServedLoadBalancer[]) => void;
}

export class AwsDataPlane {
  readonly #o: AwsDataPlaneOptions;
  #unsubscribe: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #lastKey = '';
  #served: ServedLoadBalancer[] = [];

  constructor(options: AwsDataPlaneOptions) {
    this.#o = options;
  }

  get served(): readonly ServedLoadBalancer[] {
    return this.#served;
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.#o.state.onChange(() => void this.sync());
    await this.sync();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#running;
  }

  /** Brings the proxy up to date; concurrent calls collapse into one more pass. */
  sync(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#syncOnce();
        } catch (e: unknown) {
          this.#o.log.error({ err: e }, 'local data plane: sync failed');
        }
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #syncOnce(): Promise<void> {
    const { state, addresses, log } = this.#o;
    const clusters: ClusterConfig[] = [];
    const listeners: ListenerConfig[] = [];
    const served: ServedLoadBalancer[] = [];
    const present = new Set<string>();
    // The rendered resources are plain data, so they (not the proxy's compiled configs) say whether anything changed.
    const rendered: unknown[] = [];
    for (const lb of state.loadBalancers()) {
      present.add(lb.name);
      const stack = toStack(state, lb.arn);
      if (stack === undefined) continue;
      const address = addresses.addressFor(lb.name);
      const certificates: Record<string, CertificateMaterial> = {};
      for (const l of stack.listeners) {
        for (const ref of l.certificates) {
          if (ref.kind !== 'acm') continue;
          const material = certificateMaterial(state, ref.arn);
          if (material !== undefined) certificates[certificateKey(ref)] = material;
        }
      }
      const instanceAddresses: Record<string, string> = {};
      for (const tg of stack.targetGroups) {
        if (tg.targetType === 'instance') for (const t of tg.targets) instanceAddresses[t.id] = this.#o.instanceAddress;
      }
      const { resources, diagnostics } = renderStacks([stack], {
        mode: 'static',
        address,
        portOffset: this.#o.portOffset,
        certificates,
        instanceAddresses,
      });
      for (const d of diagnostics) log.warn({ lb: lb.name, code: d.code, field: d.field }, d.message);
      try {
        const lbClusters = resources.clusters.map((c) => readCluster(c));
        const lbListeners = resources.listeners.map((l) => readListener(l));
        rendered.push(resources);
        clusters.push(...lbClusters);
        listeners.push(...lbListeners);
        // A load balancer without listeners serves nothing yet; reporting it would print an empty port list.
        if (stack.listeners.length > 0)
          served.push({
            name: lb.name,
            dnsName: lb.dnsName,
            address,
            ports: stack.listeners.map((l) => l.port + this.#o.portOffset),
          });
      } catch (e: unknown) {
        log.error({ lb: lb.name, err: errorMessage(e) }, 'local data plane: proxy rejected the rendered config');
      }
    }
    for (const name of addresses.names()) if (!present.has(name)) addresses.release(name);
    const key = JSON.stringify(rendered);
    if (key === this.#lastKey) return;
    this.#o.runtime.setClusters(clusters, true);
    try {
      await this.#o.runtime.setListeners(listeners, true);
      this.#lastKey = key;
    } catch (e: unknown) {
      log.error({ err: errorMessage(e) }, 'local data plane: cannot open a listener');
    }
    const changed = JSON.stringify(served) !== JSON.stringify(this.#served);
    this.#served = served;
    if (changed) this.#o.onServing?.(served);
  }
}
