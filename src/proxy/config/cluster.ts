import { anyType, optDurationMs, Reader } from './reader.ts';
import { albMetadata } from '../route/actions.ts';

/** Cluster and ClusterLoadAssignment (envoy.config.cluster.v3 / endpoint.v3) as the proxy uses them. */

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const UPSTREAM_TLS = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const RAW_BUFFER = 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';

export interface EndpointConfig {
  readonly address: string;
  readonly port: number;
  readonly health: HealthStatus;
  readonly weight: number;
  /** `health_check_config.port_value` (0 = the traffic port). */
  readonly healthCheckPort: number;
}

export interface HealthCheckConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** HTTP check; undefined means a TCP connect check. */
  readonly http?: {
    readonly path: string;
    readonly host?: string;
    readonly method: string;
    /** Half-open ranges [start, end). */
    readonly expected: ReadonlyArray<readonly [number, number]>;
    /** Probe over HTTP/2 (`codec_client_type: HTTP2`). */
    readonly http2: boolean;
    /** gRPC status codes that pass (`portico.alb` health_check.grpc_success_codes); checks `grpc-status`. */
    readonly grpcCodes?: readonly number[];
  };
  /** Probe with TLS; undefined = the cluster's own transport (`portico.alb` health_check.protocol overrides). */
  readonly tls?: boolean;
}

export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM';

export interface ClusterConfig {
  readonly name: string;
  readonly type: 'STATIC' | 'EDS' | 'STRICT_DNS' | 'LOGICAL_DNS';
  /** The name its ClusterLoadAssignment is published under (EDS). */
  readonly edsName: string;
  /** Inline endpoints (STATIC / DNS types). */
  readonly endpoints?: readonly EndpointConfig[];
  readonly connectTimeoutMs: number;
  readonly lbPolicy: LbPolicy;
  /** `common_lb_config.healthy_panic_threshold` in percent; undefined = ALB fail-open (only at zero healthy). */
  readonly panicThresholdPercent?: number;
  readonly healthCheck?: HealthCheckConfig;
  readonly http2: boolean;
  /** Upstream connection idle timeout; 0 disables. */
  readonly idleTimeoutMs: number;
  readonly tls?: { readonly sni?: string; readonly alpn: readonly string[] };
  /** ALB `lb_cookie` stickiness duration (`portico.alb` cluster metadata). */
  readonly lbCookieSeconds?: number;
}

const HEALTH: readonly HealthStatus[] = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];

function readEndpoints(cla: Reader): EndpointConfig[] {
  const out: EndpointConfig[] = [];
  for (const locality of cla.list('endpoints')) {
    for (const lb of locality.list('lb_endpoints')) {
      const ep = lb.obj('endpoint');
      const sa = ep.obj('address').obj('socket_address');
      const port = sa.num('port_value');
      if (!Number.isInteger(port) || port < 1 || port > 65535) sa.fail('port_value', 'must be a port number 1-65535');
      const weight = lb.optNum('load_balancing_weight') ?? 1;
      if (weight < 1) lb.fail('load_balancing_weight', 'must be at least 1');
      out.push({
        address: sa.str('address'),
        port,
        health: (lb.optEnum('health_status', HEALTH) ?? 'UNKNOWN') as HealthStatus,
        weight,
        healthCheckPort: ep.optObj('health_check_config')?.optNum('port_value') ?? 0,
      });
    }
  }
  return out;
}

/** Parses a ClusterLoadAssignment into its cluster name and endpoints. */
export function readLoadAssignment(value: unknown): { clusterName: string; endpoints: EndpointConfig[] } {
  const pre = new Reader(value, 'ClusterLoadAssignment');
  const clusterName = pre.str('cluster_name');
  const r = new Reader(value, `ClusterLoadAssignment ${JSON.stringify(clusterName)}:`);
  return { clusterName, endpoints: readEndpoints(r) };
}

function grpcCodes(text: string | undefined): number[] | undefined {
  if (text === undefined || text === '') return undefined;
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let c = a; c <= (b !== undefined && Number.isInteger(b) ? b : a); c++) out.push(c);
  }
  return out;
}

function readHealthCheck(h: Reader, meta: Reader | undefined): HealthCheckConfig {
  const intervalMs = optDurationMs(h, 'interval');
  const timeoutMs = optDurationMs(h, 'timeout');
  if (intervalMs === undefined || intervalMs <= 0) h.fail('interval', 'is required and must be positive');
  if (timeoutMs === undefined || timeoutMs <= 0) h.fail('timeout', 'is required and must be positive');
  const healthyThreshold = h.num('healthy_threshold');
  const unhealthyThreshold = h.num('unhealthy_threshold');
  const kind = h.oneof(['http_health_check', 'tcp_health_check', 'grpc_health_check', 'custom_health_check']);
  if (kind !== 'http_health_check' && kind !== 'tcp_health_check')
    h.fail(kind ?? 'health_checker', 'only http_health_check and tcp_health_check are supported');
  const protocol = meta?.optStr('protocol');
  const codes = grpcCodes(meta?.optStr('grpc_success_codes'));
  const base = {
    intervalMs,
    timeoutMs,
    healthyThreshold,
    unhealthyThreshold,
    ...(protocol !== undefined ? { tls: protocol.toUpperCase() === 'HTTPS' } : {}),
  };
  if (kind === 'tcp_health_check') return base;
  const http = h.obj('http_health_check');
  const expected = http.list('expected_statuses').map((s) => {
    const start = s.num('start');
    const end = s.num('end');
    if (start < 100 || end > 600 || end <= start) s.fail('start', 'must be a half-open range within [100, 600)');
    return [start, end] as const;
  });
  const host = http.optStr('host');
  return {
    ...base,
    http: {
      path: http.str('path'),
      ...(host !== undefined && host !== '' ? { host } : {}),
      method:
        http.optEnum('method', [
          'METHOD_UNSPECIFIED',
          'GET',
          'HEAD',
          'POST',
          'PUT',
          'DELETE',
          'CONNECT',
          'OPTIONS',
          'TRACE',
          'PATCH',
        ]) ?? 'GET',
      expected: expected.length > 0 ? expected : [[200, 201]],
      http2: http.optEnum('codec_client_type', ['HTTP1', 'HTTP2', 'HTTP3']) === 'HTTP2',
      ...(codes !== undefined ? { grpcCodes: codes } : {}),
    },
  };
}

/** Parses one Cluster resource; throws ProxyConfigError naming the field on bad input. */
export function readCluster(value: unknown): ClusterConfig {
  const name = new Reader(value, 'Cluster').str('name');
  const r = new Reader(value, `Cluster ${JSON.stringify(name)}:`);
  const type = r.optEnum('type', ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST']) ?? 'STATIC';
  if (type === 'ORIGINAL_DST') r.fail('type', 'ORIGINAL_DST is not supported');
  const lb =
    r.optEnum('lb_policy', [
      'ROUND_ROBIN',
      'LEAST_REQUEST',
      'RING_HASH',
      'RANDOM',
      'MAGLEV',
      'CLUSTER_PROVIDED',
      'LOAD_BALANCING_POLICY_CONFIG',
    ]) ?? 'ROUND_ROBIN';
  if (lb !== 'ROUND_ROBIN' && lb !== 'LEAST_REQUEST' && lb !== 'RANDOM')
    r.fail('lb_policy', `${lb} is not supported (ROUND_ROBIN, LEAST_REQUEST, RANDOM)`);
  const checks = r.list('health_checks');
  if (checks.length > 1) r.fail('health_checks', 'at most one health check is supported');
  const panic = r.optObj('common_lb_config')?.optObj('healthy_panic_threshold')?.optNum('value');
  let http2 = false;
  let idleTimeoutMs = 3_600_000;
  const opts = r.optObj('typed_extension_protocol_options')?.optObj(HTTP_PROTOCOL_OPTIONS);
  if (opts !== undefined) {
    anyType(opts, [HTTP_PROTOCOL_OPTIONS]);
    const explicit = opts.optObj('explicit_http_config');
    if (explicit?.has('http2_protocol_options') === true) http2 = true;
    const common = opts.optObj('common_http_protocol_options');
    idleTimeoutMs = (common === undefined ? undefined : optDurationMs(common, 'idle_timeout')) ?? idleTimeoutMs;
  }
  if (r.has('http2_protocol_options')) http2 = true;
  let tls: ClusterConfig['tls'];
  const ts = r.optObj('transport_socket');
  if (ts !== undefined) {
    const t = ts.obj('typed_config');
    if (anyType(t, [UPSTREAM_TLS, RAW_BUFFER]) === UPSTREAM_TLS) {
      const sni = t.optStr('sni');
      tls = {
        ...(sni !== undefined && sni !== '' ? { sni } : {}),
        alpn: t.optObj('common_tls_context')?.strList('alpn_protocols') ?? [],
      };
    }
  }
  const stickiness = albMetadata(r)?.optObj('stickiness');
  const stickyType = stickiness?.optStr('type') ?? 'lb_cookie';
  const eds = r.optObj('eds_cluster_config');
  return {
    name,
    type: type as ClusterConfig['type'],
    edsName: eds?.optStr('service_name') || name,
    ...(r.has('load_assignment') ? { endpoints: readEndpoints(r.obj('load_assignment')) } : {}),
    connectTimeoutMs: optDurationMs(r, 'connect_timeout') ?? 5000,
    lbPolicy: lb as LbPolicy,
    ...(panic !== undefined ? { panicThresholdPercent: panic } : {}),
    ...(checks[0] !== undefined
      ? { healthCheck: readHealthCheck(checks[0], albMetadata(r)?.optObj('health_check')) }
      : {}),
    http2,
    idleTimeoutMs,
    ...(tls !== undefined ? { tls } : {}),
    ...(stickiness !== undefined && (stickiness.optBool('enabled') ?? true) && stickyType === 'lb_cookie'
      ? { lbCookieSeconds: stickiness.optNum('duration_seconds') ?? 86_400 }
      : {}),
  };
}
