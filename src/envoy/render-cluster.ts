import type { TargetGroupSpec } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { attribute, intAttribute, report, seconds } from './render-context.ts';
import type { RenderContext } from './render-context.ts';
import { renderClusterLoadAssignment } from './render-endpoint.ts';
import { idleTimeoutSeconds } from './render-listener.ts';
import { ADS_CONFIG_SOURCE } from './render-options.ts';
import { ALB_METADATA_KEY, EXTENSION, MESSAGE, typeUrl } from './type-urls.ts';

/** Cluster: one per target group (docs/envoy-mapping.md, "Cluster"). */

const LB_POLICIES: Readonly<Record<string, string>> = {
  round_robin: 'ROUND_ROBIN',
  least_outstanding_requests: 'LEAST_REQUEST',
  weighted_random: 'RANDOM',
};

/** ALB success codes (`200`, `200,202`, `200-299`) as sorted, merged half-open ranges; undefined if malformed. */
export function expectedStatuses(codes: string): Array<{ start: number; end: number }> | undefined {
  const ranges: Array<{ start: number; end: number }> = [];
  for (const part of codes.split(',')) {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (m === null) return undefined;
    const start = Number(m[1]);
    const last = m[2] === undefined ? start : Number(m[2]);
    if (start < 100 || last > 599 || last < start) return undefined;
    ranges.push({ start, end: last + 1 });
  }
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && r.start <= prev.end) prev.end = Math.max(prev.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

function healthCheck(ctx: RenderContext, tg: TargetGroupSpec, at: string): JsonObject {
  const hc = tg.healthCheck;
  const grpc = tg.protocolVersion === 'GRPC';
  let statuses = [{ start: 200, end: 201 }];
  if (!grpc) {
    const parsed = expectedStatuses(hc.successCodes);
    if (parsed === undefined) {
      report(
        ctx,
        'InvalidHealthCheck',
        `${at}.healthCheck.successCodes`,
        `must be HTTP codes like 200, 200,202 or 200-299, got ${JSON.stringify(hc.successCodes)}; using 200`,
      );
    } else statuses = parsed;
  }
  return {
    timeout: seconds(hc.timeoutSeconds),
    interval: seconds(hc.intervalSeconds),
    healthy_threshold: hc.healthyThresholdCount,
    unhealthy_threshold: hc.unhealthyThresholdCount,
    http_health_check: {
      path: hc.path === '' ? '/' : hc.path,
      expected_statuses: statuses,
      ...(tg.protocolVersion === 'HTTP1' ? {} : { codec_client_type: 'HTTP2' }),
    },
  };
}

function stickinessMetadata(ctx: RenderContext, tg: TargetGroupSpec, at: string): JsonObject | undefined {
  if (attribute(tg.attributes, 'stickiness.enabled') !== 'true') return undefined;
  const type = attribute(tg.attributes, 'stickiness.type') ?? 'lb_cookie';
  const key =
    type === 'app_cookie' ? 'stickiness.app_cookie.duration_seconds' : 'stickiness.lb_cookie.duration_seconds';
  const duration = intAttribute(ctx, tg.attributes, key, `${at}.attributes`, { min: 1, max: 604800, fallback: 86400 });
  const cookie = attribute(tg.attributes, 'stickiness.app_cookie.cookie_name');
  return {
    enabled: true,
    type,
    duration_seconds: duration,
    ...(type === 'app_cookie' && cookie !== undefined ? { cookie_name: cookie } : {}),
  };
}

function metadata(ctx: RenderContext, tg: TargetGroupSpec, at: string): JsonObject {
  const stickiness = stickinessMetadata(ctx, tg, at);
  const hc = {
    ...(tg.healthCheck.protocol !== tg.protocol ? { protocol: tg.healthCheck.protocol } : {}),
    ...(tg.protocolVersion === 'GRPC' ? { grpc_success_codes: tg.healthCheck.successCodes } : {}),
  };
  return {
    filter_metadata: {
      [ALB_METADATA_KEY]: {
        target_group: tg.id,
        ...(stickiness !== undefined ? { stickiness } : {}),
        ...(Object.keys(hc).length > 0 ? { health_check: hc } : {}),
      },
    },
  };
}

export function renderCluster(ctx: RenderContext, tg: TargetGroupSpec, index: number): JsonObject {
  const at = `targetGroups[${index}]`;
  const algorithm = attribute(tg.attributes, 'load_balancing.algorithm.type') ?? 'round_robin';
  let lbPolicy = LB_POLICIES[algorithm];
  if (lbPolicy === undefined) {
    report(
      ctx,
      'InvalidAttribute',
      `${at}.attributes[load_balancing.algorithm.type]`,
      `must be round_robin, least_outstanding_requests or weighted_random, got ${JSON.stringify(algorithm)}`,
    );
    lbPolicy = 'ROUND_ROBIN';
  }
  const slowStart = intAttribute(ctx, tg.attributes, 'slow_start.duration_seconds', `${at}.attributes`, {
    min: 0,
    max: 900,
    fallback: 0,
  });
  const http2 = tg.protocolVersion !== 'HTTP1';
  const discovery =
    ctx.options.mode === 'ads'
      ? { type: 'EDS', eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE, service_name: tg.name } }
      : { type: 'STATIC', load_assignment: renderClusterLoadAssignment(ctx, tg, index) };
  return {
    name: tg.name,
    ...discovery,
    connect_timeout: '10s',
    lb_policy: lbPolicy,
    ...(slowStart > 0 && lbPolicy === 'ROUND_ROBIN'
      ? { round_robin_lb_config: { slow_start_config: { slow_start_window: seconds(slowStart) } } }
      : {}),
    // Envoy enters panic (uses every host) below this healthy share: 1 % means "only when none is
    // healthy" for up to 100 targets, which is ALB's fail-open.
    common_lb_config: { healthy_panic_threshold: { value: 1 } },
    health_checks: [healthCheck(ctx, tg, at)],
    typed_extension_protocol_options: {
      [MESSAGE.httpProtocolOptions]: {
        '@type': typeUrl(MESSAGE.httpProtocolOptions),
        common_http_protocol_options: { idle_timeout: seconds(idleTimeoutSeconds(ctx)) },
        explicit_http_config: http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
      },
    },
    ...(tg.protocol === 'HTTPS'
      ? {
          transport_socket: {
            name: EXTENSION.tlsTransportSocket,
            typed_config: {
              '@type': typeUrl(MESSAGE.upstreamTlsContext),
              common_tls_context: { alpn_protocols: http2 ? ['h2'] : ['http/1.1'] },
            },
          },
        }
      : {}),
    metadata: metadata(ctx, tg, at),
  };
}
