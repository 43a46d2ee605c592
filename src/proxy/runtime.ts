import type { ClusterConfig, EndpointConfig } from './config/cluster.ts';
import type { CertificateSource, ListenerConfig } from './config/listener.ts';
import type { CompiledRouteConfig } from './route/table.ts';
import { UpstreamCluster } from './upstream/cluster.ts';
import { ListenerRuntime, DEFAULT_LIMITS } from './server/listener.ts';
import type { ListenerLimits } from './server/listener.ts';
import type { ConfigView } from './server/context.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';

/**
 * The proxy's live state: listeners, clusters, route tables and secrets by name. Updates replace
 * whole resources and are make-before-break: a new cluster is in place before routes can name it,
 * a changed listener keeps its socket and swaps its chains, a removed cluster or listener finishes
 * its in-flight requests before closing. Requests read the maps at dispatch time, so every request
 * sees one consistent resource per name.
 */
export interface RuntimeOptions {
  readonly log?: Logger;
  readonly limits?: Partial<ListenerLimits>;
  readonly now?: () => number;
}

export class ProxyRuntime implements ConfigView {
  readonly log: Logger;
  private readonly limits: ListenerLimits;
  private readonly clock: () => number;
  private readonly listeners = new Map<string, ListenerRuntime>();
  private readonly clusters = new Map<string, UpstreamCluster>();
  private readonly clusterKeys = new Map<string, string>();
  private readonly routes = new Map<string, CompiledRouteConfig>();
  private readonly secrets = new Map<string, CertificateSource>();
  /** Latest endpoints by EDS name, kept so a re-created cluster gets them at once. */
  private readonly assignments = new Map<string, readonly EndpointConfig[]>();

  constructor(options: RuntimeOptions = {}) {
    this.log = options.log ?? silentLogger();
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.now ?? Date.now;
  }

  now(): number {
    return this.clock();
  }

  cluster(name: string): UpstreamCluster | undefined {
    return this.clusters.get(name);
  }

  routeConfig(name: string): CompiledRouteConfig | undefined {
    return this.routes.get(name);
  }

  secret(name: string): CertificateSource | undefined {
    return this.secrets.get(name);
  }

  /** Bound port of a listener by name (after start), for tests and logs. */
  listenerPort(name: string): number | undefined {
    return this.listeners.get(name)?.port;
  }

  listenerNames(): string[] {
    return [...this.listeners.keys()];
  }

  /** Sets clusters; with `complete`, clusters not in the list are removed (CDS state of the world). */
  setClusters(list: readonly ClusterConfig[], complete: boolean): void {
    const seen = new Set<string>();
    for (const c of list) {
      seen.add(c.name);
      const key = JSON.stringify(c);
      if (this.clusterKeys.get(c.name) === key) continue;
      const next = new UpstreamCluster(c);
      const eds = this.assignments.get(c.edsName);
      if (c.type === 'EDS' && eds !== undefined) next.setEndpoints(eds);
      const old = this.clusters.get(c.name);
      this.clusters.set(c.name, next);
      this.clusterKeys.set(c.name, key);
      old?.close();
    }
    if (complete) {
      for (const [name, c] of this.clusters) {
        if (!seen.has(name)) {
          this.clusters.delete(name);
          this.clusterKeys.delete(name);
          c.close();
        }
      }
    }
  }

  /** Applies ClusterLoadAssignments (EDS) to the clusters that use them. */
  setEndpoints(list: ReadonlyArray<{ clusterName: string; endpoints: readonly EndpointConfig[] }>): void {
    for (const a of list) {
      this.assignments.set(a.clusterName, a.endpoints);
      for (const c of this.clusters.values())
        if (c.config.type === 'EDS' && c.config.edsName === a.clusterName) c.setEndpoints(a.endpoints);
    }
  }

  /** Forgets assignments no cluster uses any more (EDS has no delete message). */
  pruneEndpoints(keep: ReadonlySet<string>): void {
    for (const name of this.assignments.keys()) if (!keep.has(name)) this.assignments.delete(name);
  }

  setRoutes(list: readonly CompiledRouteConfig[], complete: boolean): void {
    if (complete)
      for (const name of this.routes.keys()) if (!list.some((r) => r.name === name)) this.routes.delete(name);
    for (const r of list) this.routes.set(r.name, r);
  }

  setSecrets(list: ReadonlyArray<{ name: string; certificate: CertificateSource }>): void {
    for (const s of list) this.secrets.set(s.name, s.certificate);
    // Listeners resolve SDS names when they build TLS contexts: rebuild them with the new secrets.
    for (const l of this.listeners.values()) l.apply(l.config);
  }

  /**
   * Sets listeners; with `complete`, listeners not in the list are drained and closed. A listener
   * whose address, port and TLS-ness are unchanged keeps its socket.
   */
  async setListeners(list: readonly ListenerConfig[], complete: boolean): Promise<void> {
    const seen = new Set<string>();
    const closing: Array<Promise<void>> = [];
    for (const config of list) {
      seen.add(config.name);
      const existing = this.listeners.get(config.name);
      if (existing !== undefined && existing.config.socketKey === config.socketKey) {
        existing.apply(config);
        continue;
      }
      if (existing !== undefined) {
        this.listeners.delete(config.name);
        await existing.close();
      }
      const runtime = new ListenerRuntime(config, this, this.limits);
      await runtime.listen();
      this.listeners.set(config.name, runtime);
      this.log.info({ listener: config.name, address: config.address, port: runtime.port }, 'listener started');
    }
    if (complete) {
      for (const [name, l] of this.listeners) {
        if (!seen.has(name)) {
          this.listeners.delete(name);
          closing.push(l.close());
        }
      }
    }
    await Promise.all(closing);
  }

  /** Drains every listener and closes every upstream pool. */
  async stop(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.close()));
    this.listeners.clear();
    for (const c of this.clusters.values()) c.close();
    this.clusters.clear();
  }
}
