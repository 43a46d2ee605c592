import type { JsonObject } from '../envoy/json.ts';
import { renderStack } from '../envoy/render.ts';
import type { EnvoyResources } from '../envoy/render.ts';
import { certificateKey } from '../envoy/render-options.ts';
import type { CertificateMaterial } from '../envoy/render-options.ts';
import type { AdsServer } from '../envoy/xds/server.ts';
import type { Logger } from '../log.ts';
import { formatDiagnostic } from '../model/diagnostic.ts';
import type { Stack } from '../model/stack.ts';
import type { LoadBalancerAddress, Provider, ProviderContext, SecretLookup } from './provider.ts';

/**
 * The `envoy` provider: every applied stack is rendered to Envoy v3 resources and the union is
 * served by one ADS server, to the bundled proxy or a real Envoy. TLS certificates come from the
 * `kubernetes.io/tls` Secrets the stacks reference (ACM certificates have no key material here,
 * so rendering reports them). There is nothing to read before translating.
 */

export interface EnvoyDataPlaneOptions {
  readonly server: AdsServer;
  readonly log: Logger;
  readonly secret: SecretLookup;
  /** IP address by EC2 instance ID, for `instance` targets (from the Nodes' providerIDs). */
  readonly instanceAddresses: () => Readonly<Record<string, string>>;
  /** Where a stack's listeners bind. @default '0.0.0.0' for every stack */
  readonly bindAddress?: (stack: Stack) => string;
  /** Added to every listener port. @default 0 */
  readonly portOffset?: number;
  /** The address published in Ingress status. @default none (status is left empty) */
  readonly statusAddress?: (stack: Stack) => LoadBalancerAddress | undefined;
}

export class EnvoyDataPlane implements Provider {
  readonly name = 'envoy' as const;
  readonly #o: EnvoyDataPlaneOptions;
  readonly #stacks = new Map<string, Stack>();
  readonly #rendered = new Map<string, EnvoyResources>();

  constructor(options: EnvoyDataPlaneOptions) {
    this.#o = options;
  }

  prepare(): Promise<ProviderContext> {
    return Promise.resolve({ catalog: { certificates: [] } });
  }

  async apply(stack: Stack): Promise<LoadBalancerAddress | undefined> {
    const certificates: Record<string, CertificateMaterial> = {};
    for (const l of stack.listeners) {
      for (const ref of l.certificates) {
        if (ref.kind !== 'secret') continue;
        const s = await this.#o.secret(`${ref.namespace}/${ref.name}`);
        const chain = s?.data['tls.crt'];
        const key = s?.data['tls.key'];
        if (chain !== undefined && key !== undefined) {
          certificates[certificateKey(ref)] = {
            certificateChain: chain,
            privateKey: key,
            ...(s?.certificateDnsNames !== undefined ? { serverNames: s.certificateDnsNames } : {}),
          };
        }
      }
    }
    const result = renderStack(stack, {
      mode: 'ads',
      address: this.#o.bindAddress?.(stack) ?? '0.0.0.0',
      portOffset: this.#o.portOffset ?? 0,
      certificates,
      instanceAddresses: this.#o.instanceAddresses(),
    });
    for (const d of result.diagnostics) this.#o.log.warn({ group: stack.id }, formatDiagnostic(d));
    const previous = this.#rendered.get(stack.id);
    this.#rendered.set(stack.id, result.resources);
    try {
      this.#publish();
    } catch (e: unknown) {
      // The server refused the new snapshot and kept the old one: so do we.
      if (previous === undefined) this.#rendered.delete(stack.id);
      else this.#rendered.set(stack.id, previous);
      throw e;
    }
    this.#stacks.set(stack.id, stack);
    return this.#o.statusAddress?.(stack);
  }

  applyTargets(stack: Stack): Promise<void> {
    return this.apply(stack).then(() => undefined);
  }

  delete(stackId: string): Promise<void> {
    if (this.#rendered.delete(stackId)) this.#publish();
    this.#stacks.delete(stackId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.#o.server.close();
  }

  /** Serves the union of every stack's resources (each list sorted by name, as rendering does). */
  #publish(): void {
    const merged = { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] } as Record<
      keyof EnvoyResources,
      JsonObject[]
    >;
    for (const id of [...this.#rendered.keys()].sort()) {
      const r = this.#rendered.get(id);
      if (r === undefined) continue;
      for (const k of Object.keys(merged) as (keyof EnvoyResources)[]) merged[k].push(...r[k]);
    }
    const key = (o: JsonObject) => String(o['name'] ?? o['cluster_name'] ?? '');
    for (const list of Object.values(merged)) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    this.#o.server.setResources(merged);
  }
}
