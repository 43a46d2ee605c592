import type { FilterChainConfig, ListenerConfig } from '../config/listener.ts';
import type { CompiledRouteConfig } from '../route/table.ts';
import type { UpstreamCluster } from '../upstream/cluster.ts';
import type { CertificateSource } from '../config/listener.ts';
import type { Logger } from '../../log.ts';

/** Where the current configuration of a listener lives, read per request so swaps apply at once. */
export interface ListenerState {
  readonly config: ListenerConfig;
  chain(name: string): FilterChainConfig | undefined;
}

/**
 * What a connection knows about where it came in. The filter chain is chosen once per connection
 * (as in Envoy) by name; its current configuration is looked up per request, so a config swap that
 * keeps the chain applies to open keep-alive connections too.
 */
export class ConnectionContext {
  private readonly state: ListenerState;
  private readonly chainName: string;
  private readonly fallback: FilterChainConfig;
  readonly scheme: 'http' | 'https';
  readonly localPort: number;
  /** Peer address with any IPv4-mapped `::ffff:` prefix removed. */
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(
    state: ListenerState,
    chain: FilterChainConfig,
    scheme: 'http' | 'https',
    localPort: number,
    remoteAddress: string | undefined,
    remotePort: number | undefined,
  ) {
    this.state = state;
    this.chainName = chain.name;
    this.fallback = chain;
    this.scheme = scheme;
    this.localPort = localPort;
    this.remoteAddress = normalizeAddress(remoteAddress);
    this.remotePort = remotePort ?? 0;
  }

  get listener(): ListenerConfig {
    return this.state.config;
  }

  get chain(): FilterChainConfig {
    return this.state.chain(this.chainName) ?? this.fallback;
  }
}

/** The live configuration the request path reads; swapped atomically by the runtime. */
export interface ConfigView {
  cluster(name: string): UpstreamCluster | undefined;
  routeConfig(name: string): CompiledRouteConfig | undefined;
  secret(name: string): CertificateSource | undefined;
  readonly log: Logger;
  /** Clock (ms since epoch) for trace ids and cookie expiry; injectable for tests. */
  now(): number;
}

export function normalizeAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
