import * as grpc from '@grpc/grpc-js';
import { decodeDiscoveryResponse, decodeResource, encodeDiscoveryRequest, TYPE_PREFIX } from './codec.ts';
import type { DiscoveryRequestShape, DiscoveryResponseShape } from './codec.ts';
import { readCluster, readLoadAssignment } from '../config/cluster.ts';
import { readListener } from '../config/listener.ts';
import type { ListenerConfig } from '../config/listener.ts';
import { readSecret } from '../config/secret.ts';
import { compileRouteConfig } from '../route/table.ts';
import type { ProxyRuntime } from '../runtime.ts';
import type { AdsSource } from '../config/bootstrap.ts';
import { errorMessage } from '../../errors/base.ts';

/**
 * ADS client, state of the world (envoy.service.discovery.v3, xds_protocol §SotW). One stream
 * carries CDS, EDS, LDS, RDS and SDS. Every response is validated as a whole: good ⇒ applied and
 * ACKed with its version; bad ⇒ NACKed with the last good version and the reason, nothing applied.
 * EDS/RDS/SDS subscriptions follow what the accepted clusters and listeners name. Listeners warm:
 * a new or changed listener is installed only once its route configurations and secrets are known.
 * The stream reconnects with capped backoff and re-subscribes with the versions it holds.
 */

export const TYPES = {
  cluster: `${TYPE_PREFIX}envoy.config.cluster.v3.Cluster`,
  endpoint: `${TYPE_PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  listener: `${TYPE_PREFIX}envoy.config.listener.v3.Listener`,
  route: `${TYPE_PREFIX}envoy.config.route.v3.RouteConfiguration`,
  secret: `${TYPE_PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

interface Subscription {
  names: string[] | undefined;
  version: string;
  nonce: string;
}

export interface AdsClientOptions {
  readonly source: AdsSource;
  readonly runtime: ProxyRuntime;
  /** Called after every applied (ACKed) update, with its type URL and version. */
  readonly onApplied?: (typeUrl: string, version: string) => void;
  /** Called on every NACK, with the reason. */
  readonly onRejected?: (typeUrl: string, reason: string) => void;
}

export class AdsClient {
  private readonly options: AdsClientOptions;
  private readonly client: grpc.Client;
  private call: grpc.ClientDuplexStream<DiscoveryRequestShape, DiscoveryResponseShape> | undefined;
  private readonly subs = new Map<string, Subscription>();
  private pendingListeners: ListenerConfig[] | undefined;
  private stopped = false;
  private backoffMs = 250;
  private sentNode = false;
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(options: AdsClientOptions) {
    this.options = options;
    this.client = new grpc.Client(options.source.target, grpc.credentials.createInsecure());
    if (options.source.cds) this.subs.set(TYPES.cluster, { names: undefined, version: '', nonce: '' });
    if (options.source.lds) this.subs.set(TYPES.listener, { names: undefined, version: '', nonce: '' });
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.client.close();
  }

  private connect(): void {
    if (this.stopped) return;
    this.sentNode = false;
    const call = this.client.makeBidiStreamRequest<DiscoveryRequestShape, DiscoveryResponseShape>(
      ADS_METHOD,
      encodeDiscoveryRequest,
      (b: Buffer) => decodeDiscoveryResponse(b),
    );
    this.call = call;
    call.on('data', (res: DiscoveryResponseShape) => {
      this.backoffMs = 250;
      // Responses are handled one at a time: listener installation is asynchronous.
      this.queue = this.queue
        .then(() => this.onResponse(res))
        .catch((e: unknown) =>
          this.options.runtime.log.error({ err: errorMessage(e) }, 'xds response handling failed'),
        );
    });
    const retry = (): void => {
      if (this.stopped || this.call !== call) return;
      this.call = undefined;
      this.retryTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
    };
    call.on('error', (e: Error) => {
      if (!this.stopped)
        this.options.runtime.log.warn(
          { err: e.message, target: this.options.source.target },
          'xds stream failed; reconnecting',
        );
      retry();
    });
    call.on('end', retry);
    // Fresh stream: nonces are per stream; versions tell the server what we already hold.
    for (const [typeUrl, sub] of this.subs) {
      sub.nonce = '';
      this.send(typeUrl, sub);
    }
  }

  private send(typeUrl: string, sub: Subscription, error?: string): void {
    const req: DiscoveryRequestShape = {
      type_url: typeUrl,
      version_info: sub.version,
      response_nonce: sub.nonce,
      ...(sub.names !== undefined ? { resource_names: sub.names } : {}),
      ...(error !== undefined ? { error_detail: { code: 3, message: error } } : {}),
    };
    if (!this.sentNode) {
      req.node = {
        id: this.options.source.nodeId,
        cluster: this.options.source.nodeCluster,
        user_agent_name: 'portico-proxy',
      };
      this.sentNode = true;
    }
    this.call?.write(req);
  }

  /** Changes the names subscribed for a type; sends a request only when they change. */
  private subscribe(typeUrl: string, names: string[]): void {
    const sorted = [...new Set(names)].sort();
    const sub = this.subs.get(typeUrl);
    if (sub !== undefined && sub.names !== undefined && sub.names.join('\n') === sorted.join('\n')) return;
    const next: Subscription = sub ?? { names: sorted, version: '', nonce: '' };
    next.names = sorted;
    this.subs.set(typeUrl, next);
    this.send(typeUrl, next);
  }

  private async onResponse(res: DiscoveryResponseShape): Promise<void> {
    const sub = this.subs.get(res.type_url);
    if (sub === undefined) return;
    sub.nonce = res.nonce;
    let objects: unknown[];
    try {
      objects = res.resources.map((r) => {
        if (r.type_url !== res.type_url)
          throw new Error(`resource of type ${r.type_url} in a ${res.type_url} response`);
        return decodeResource(r.type_url, r.value);
      });
      await this.apply(res.type_url, objects);
    } catch (e: unknown) {
      const reason = errorMessage(e);
      this.options.runtime.log.warn(
        { typeUrl: res.type_url, version: res.version_info, reason },
        'xds update rejected (NACK)',
      );
      this.options.onRejected?.(res.type_url, reason);
      this.send(res.type_url, sub, reason);
      return;
    }
    sub.version = res.version_info;
    this.send(res.type_url, sub);
    this.options.onApplied?.(res.type_url, res.version_info);
  }

  private async apply(typeUrl: string, objects: unknown[]): Promise<void> {
    const rt = this.options.runtime;
    switch (typeUrl) {
      case TYPES.cluster: {
        const clusters = objects.map(readCluster);
        unique(
          clusters.map((c) => c.name),
          'Cluster',
        );
        rt.setClusters(clusters, true);
        const eds = clusters.filter((c) => c.type === 'EDS').map((c) => c.edsName);
        rt.pruneEndpoints(new Set(eds));
        this.subscribe(TYPES.endpoint, eds);
        return;
      }
      case TYPES.endpoint:
        rt.setEndpoints(objects.map(readLoadAssignment));
        return;
      case TYPES.listener: {
        const listeners = objects.map(readListener);
        unique(
          listeners.map((l) => l.name),
          'Listener',
        );
        const chains = listeners.flatMap((l) =>
          l.defaultChain === undefined ? l.filterChains : [...l.filterChains, l.defaultChain],
        );
        this.subscribe(
          TYPES.route,
          chains.flatMap((c) => (c.hcm.rdsName !== undefined ? [c.hcm.rdsName] : [])),
        );
        this.subscribe(
          TYPES.secret,
          chains.flatMap((c) => c.tls?.sdsNames ?? []),
        );
        this.pendingListeners = listeners;
        await this.installWarmListeners();
        return;
      }
      case TYPES.route: {
        const routes = objects.map((o) => compileRouteConfig(o));
        unique(
          routes.map((r) => r.name),
          'RouteConfiguration',
        );
        rt.setRoutes(routes, false);
        await this.installWarmListeners();
        return;
      }
      case TYPES.secret:
        rt.setSecrets(objects.map(readSecret));
        await this.installWarmListeners();
        return;
      default:
        return;
    }
  }

  /** Installs the latest listener set once every route configuration and secret it names is known. */
  private async installWarmListeners(): Promise<void> {
    const pending = this.pendingListeners;
    if (pending === undefined) return;
    const rt = this.options.runtime;
    const ready = pending.every((l) =>
      [...l.filterChains, ...(l.defaultChain !== undefined ? [l.defaultChain] : [])].every(
        (c) =>
          (c.hcm.rdsName === undefined || rt.routeConfig(c.hcm.rdsName) !== undefined) &&
          (c.tls?.sdsNames ?? []).every((n) => rt.secret(n) !== undefined),
      ),
    );
    if (!ready) return;
    this.pendingListeners = undefined;
    await rt.setListeners(pending, true);
  }
}

function unique(names: readonly string[], kind: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`${kind} ${JSON.stringify(n)} appears twice in one response`);
    seen.add(n);
  }
}
