import { anyType, optDurationMs, ProxyConfigError, Reader } from './reader.ts';
import { readDataSource } from '../route/actions.ts';
import { albMetadata } from '../route/actions.ts';
import { compileRouteConfig } from '../route/table.ts';
import type { CompiledRouteConfig } from '../route/table.ts';

/**
 * Listener → what the proxy serves (envoy.config.listener.v3.Listener with the HTTP connection
 * manager, TLS transport sockets and the connection_limit network filter).
 */

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const CONNECTION_LIMIT = 'envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit';
const ROUTER = 'envoy.extensions.filters.http.router.v3.Router';
const DOWNSTREAM_TLS = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const RAW_BUFFER = 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';
const TLS_INSPECTOR = 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';

export interface CertificateSource {
  readonly chain: Buffer;
  readonly key: Buffer;
}

export interface TlsConfig {
  /** Inline certificates (`tls_certificates`). */
  readonly certificates: readonly CertificateSource[];
  /** SDS secret names (`tls_certificate_sds_secret_configs`), resolved against the secret store. */
  readonly sdsNames: readonly string[];
  readonly alpn: readonly string[];
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers?: string;
}

export type ServerHeaderTransformation = 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';

export interface HcmConfig {
  /** Inline route table, or the RDS name to look up. */
  readonly routeConfig?: CompiledRouteConfig;
  readonly rdsName?: string;
  readonly codec: 'AUTO' | 'HTTP1' | 'HTTP2';
  readonly useRemoteAddress: boolean;
  readonly skipXffAppend: boolean;
  readonly appendXForwardedPort: boolean;
  /** Connection idle timeout; 0 disables. @default 3600000 (Envoy's 1 h) */
  readonly idleTimeoutMs: number;
  /** Stream idle timeout (no bytes either way); 0 disables. @default 300000 (Envoy's 5 min) */
  readonly streamIdleTimeoutMs: number;
  /** Time allowed to receive the whole request; 0 disables. */
  readonly requestTimeoutMs: number;
  /** Time allowed to receive the request headers; 0 means the proxy's default. */
  readonly requestHeadersTimeoutMs: number;
  readonly maxRequestHeadersBytes: number;
  readonly serverName: string;
  readonly serverHeaderTransformation: ServerHeaderTransformation;
  /** Upgrade types enabled on the HCM (lowercase). */
  readonly upgrades: ReadonlySet<string>;
}

export interface FilterChainConfig {
  readonly name: string;
  readonly serverNames: readonly string[];
  /** `filter_chain_match.source_prefix_ranges` as `address/len` CIDRs (the TCP peer address). */
  readonly sourceRanges: readonly string[];
  readonly tls?: TlsConfig;
  readonly hcm: HcmConfig;
  readonly maxConnections?: number;
}

/** ALB facts the proxy needs and Envoy has no field for, from `metadata.filter_metadata["portico.alb"]`. */
export interface AlbListenerOptions {
  /** The ALB listener port (locally the proxy listens on an offset port). */
  readonly listenerPort?: number;
  /** `routing.http.preserve_host_header.enabled`. @default false */
  readonly preserveHostHeader: boolean;
  /** `routing.http.xff_header_processing.mode`. @default 'append' */
  readonly xffMode: 'append' | 'preserve' | 'remove';
  /** `routing.http.xff_client_port.enabled`. @default false */
  readonly xffClientPort: boolean;
}

export interface ListenerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly filterChains: readonly FilterChainConfig[];
  readonly defaultChain?: FilterChainConfig;
  readonly alb: AlbListenerOptions;
  /** A canonical string of the socket-level settings: a change needs a new socket. */
  readonly socketKey: string;
}

const TLS_VERSIONS: Readonly<Record<string, TlsConfig['minVersion']>> = {
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

function readTls(ts: Reader): TlsConfig {
  const t = ts.obj('typed_config');
  anyType(t, [DOWNSTREAM_TLS]);
  const common = t.optObj('common_tls_context');
  const params = common?.optObj('tls_params');
  const versionNames = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'];
  const min = params?.optEnum('tls_minimum_protocol_version', versionNames);
  const max = params?.optEnum('tls_maximum_protocol_version', versionNames);
  const ciphers = params?.strList('cipher_suites') ?? [];
  const minVersion = min === undefined ? undefined : TLS_VERSIONS[min];
  const maxVersion = max === undefined ? undefined : TLS_VERSIONS[max];
  const tls: TlsConfig = {
    certificates: (common?.list('tls_certificates') ?? []).map((c) => ({
      chain: readDataSource(c.obj('certificate_chain')),
      key: readDataSource(c.obj('private_key')),
    })),
    sdsNames: (common?.list('tls_certificate_sds_secret_configs') ?? []).map((s) => s.str('name')),
    alpn: common?.strList('alpn_protocols') ?? [],
    ...(minVersion !== undefined ? { minVersion } : {}),
    ...(maxVersion !== undefined ? { maxVersion } : {}),
    ...(ciphers.length > 0 ? { ciphers: ciphers.join(':') } : {}),
  };
  if (tls.certificates.length === 0 && tls.sdsNames.length === 0) {
    t.fail('common_tls_context', 'needs tls_certificates or tls_certificate_sds_secret_configs');
  }
  return tls;
}

function readHcm(t: Reader): HcmConfig {
  const route = t.oneof(['rds', 'route_config', 'scoped_routes']);
  if (route === 'scoped_routes') t.fail('scoped_routes', 'is not supported; use rds or route_config');
  if (route === undefined) t.fail('route_specifier', 'rds or route_config is required');
  const filters = t.list('http_filters');
  filters.forEach((f, i) => {
    if (f.has('typed_config')) {
      const type = anyType(f.obj('typed_config'), [ROUTER]);
      if (type === ROUTER && i !== filters.length - 1) f.fail('name', 'the router filter must be last');
    } else if (f.str('name') !== 'envoy.filters.http.router')
      f.fail('name', 'only the router HTTP filter is supported');
  });
  const common = t.optObj('common_http_protocol_options');
  const transform = t.optEnum('server_header_transformation', ['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH']);
  const codec = t.optEnum('codec_type', ['AUTO', 'HTTP1', 'HTTP2', 'HTTP3']) ?? 'AUTO';
  if (codec === 'HTTP3') t.fail('codec_type', 'HTTP3 is not supported');
  const statPrefix = t.optStr('stat_prefix') ?? '';
  if (statPrefix === '') t.fail('stat_prefix', 'must not be empty');
  const upgrades = new Set(
    t
      .list('upgrade_configs')
      .filter((u) => u.optBool('enabled') ?? true)
      .map((u) => u.str('upgrade_type').toLowerCase()),
  );
  return {
    ...(route === 'route_config'
      ? { routeConfig: compileRouteConfig(t.raw('route_config'), t.at('route_config')) }
      : {}),
    ...(route === 'rds' ? { rdsName: t.obj('rds').str('route_config_name') } : {}),
    codec: codec === 'HTTP2' ? 'HTTP2' : codec === 'HTTP1' ? 'HTTP1' : 'AUTO',
    useRemoteAddress: t.optBool('use_remote_address') ?? false,
    skipXffAppend: t.optBool('skip_xff_append') ?? false,
    appendXForwardedPort: t.optBool('append_x_forwarded_port') ?? false,
    idleTimeoutMs: (common === undefined ? undefined : optDurationMs(common, 'idle_timeout')) ?? 3_600_000,
    streamIdleTimeoutMs: optDurationMs(t, 'stream_idle_timeout') ?? 300_000,
    requestTimeoutMs: optDurationMs(t, 'request_timeout') ?? 0,
    requestHeadersTimeoutMs: optDurationMs(t, 'request_headers_timeout') ?? 0,
    maxRequestHeadersBytes: (t.optNum('max_request_headers_kb') ?? 60) * 1024,
    serverName: t.optStr('server_name') ?? 'envoy',
    serverHeaderTransformation: (transform ?? 'OVERWRITE') as ServerHeaderTransformation,
    upgrades,
  };
}

function readChain(c: Reader, listenerName: string, index: number): FilterChainConfig {
  const match = c.optObj('filter_chain_match');
  const serverNames = (match?.strList('server_names') ?? []).map((s) => s.toLowerCase());
  for (const s of serverNames) {
    if (s === '*' || (s.includes('*') && !s.startsWith('*.'))) {
      match?.fail(
        'server_names',
        `${JSON.stringify(s)} is not an exact name or a full-label wildcard like *.example.com`,
      );
    }
  }
  const sourceRanges = (match?.list('source_prefix_ranges') ?? []).map((p) => {
    const len = p.optNum('prefix_len') ?? (p.str('address_prefix').includes(':') ? 128 : 32);
    return `${p.str('address_prefix')}/${len}`;
  });
  let hcm: HcmConfig | undefined;
  let maxConnections: number | undefined;
  for (const f of c.list('filters')) {
    const t = f.obj('typed_config');
    const type = anyType(t, [HCM, CONNECTION_LIMIT]);
    if (type === HCM) hcm = readHcm(t);
    else maxConnections = t.num('max_connections');
  }
  if (hcm === undefined)
    return c.fail('filters', 'an envoy.filters.network.http_connection_manager filter is required');
  const ts = c.optObj('transport_socket');
  let tls: TlsConfig | undefined;
  if (ts !== undefined) {
    const type = anyType(ts.obj('typed_config'), [DOWNSTREAM_TLS, RAW_BUFFER]);
    if (type === DOWNSTREAM_TLS) tls = readTls(ts);
  }
  return {
    name: c.optStr('name') ?? `${listenerName}#${index}`,
    serverNames,
    sourceRanges,
    ...(tls !== undefined ? { tls } : {}),
    hcm,
    ...(maxConnections !== undefined ? { maxConnections } : {}),
  };
}

function readAlb(r: Reader): AlbListenerOptions {
  const m = albMetadata(r);
  const mode = m?.optStr('xff_header_processing_mode') ?? 'append';
  if (mode !== 'append' && mode !== 'preserve' && mode !== 'remove')
    m?.fail('xff_header_processing_mode', 'must be append, preserve or remove');
  const port = m?.optNum('listener_port');
  return {
    ...(port !== undefined ? { listenerPort: port } : {}),
    preserveHostHeader: m?.optBool('preserve_host_header') ?? false,
    xffMode: mode as AlbListenerOptions['xffMode'],
    xffClientPort: m?.optBool('xff_client_port') ?? false,
  };
}

/** Parses one Listener resource; throws ProxyConfigError naming the field on bad input. */
export function readListener(value: unknown): ListenerConfig {
  const pre = new Reader(value, 'Listener');
  const name = pre.str('name');
  const r = new Reader(value, `Listener ${JSON.stringify(name)}:`);
  const sa = r.obj('address').obj('socket_address');
  const address = sa.str('address');
  const port = sa.optNum('port_value') ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) sa.fail('port_value', 'must be a port number 0-65535');
  for (const lf of r.list('listener_filters')) {
    if (lf.has('typed_config')) anyType(lf.obj('typed_config'), [TLS_INSPECTOR]);
  }
  const filterChains = r.list('filter_chains').map((c, i) => readChain(c, name, i));
  const defaultChain = r.has('default_filter_chain') ? readChain(r.obj('default_filter_chain'), name, -1) : undefined;
  if (filterChains.length === 0 && defaultChain === undefined)
    r.fail('filter_chains', 'at least one filter chain is required');
  const all = defaultChain === undefined ? filterChains : [...filterChains, defaultChain];
  const tlsCount = all.filter((c) => c.tls !== undefined).length;
  if (tlsCount !== 0 && tlsCount !== all.length) {
    throw new ProxyConfigError(
      r.at('filter_chains'),
      'mixing TLS and plaintext filter chains on one listener is not supported',
    );
  }
  const seen = new Set<string>();
  for (const c of filterChains) {
    const key = `${[...c.serverNames].sort().join(',')}|${[...c.sourceRanges].sort().join(',')}`;
    if (seen.has(key)) {
      throw new ProxyConfigError(
        r.at('filter_chains'),
        `two filter chains have the same match (server_names ${JSON.stringify(c.serverNames)}, source_prefix_ranges ${JSON.stringify(c.sourceRanges)})`,
      );
    }
    seen.add(key);
  }
  return {
    name,
    address,
    port,
    filterChains,
    ...(defaultChain !== undefined ? { defaultChain } : {}),
    alb: readAlb(r),
    socketKey: `${address}|${port}|${tlsCount > 0 ? 'tls' : 'plain'}`,
  };
}
