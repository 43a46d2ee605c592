import type { ListenerSpec } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { attribute, intAttribute, report, seconds } from './render-context.ts';
import type { RenderContext } from './render-context.ts';
import { ADS_CONFIG_SOURCE } from './render-options.ts';
import { listenerName, renderRouteConfiguration, xffMode } from './render-route.ts';
import { renderSecret } from './render-secret.ts';
import { listenerSourceCidrs } from './render-source.ts';
import type { SourceCidr } from './render-source.ts';
import { certificateChains, downstreamTls } from './render-tls.ts';
import type { CertificateChain } from './render-tls.ts';
import { ALB_METADATA_KEY, EXTENSION, MESSAGE, typeUrl } from './type-urls.ts';

/**
 * Listener: one per ALB listener, one HTTP connection manager per filter chain. HTTPS listeners get a
 * chain per certificate (SNI); source-ip rules add chains per source CIDR (render-source.ts).
 */

/** What one ALB listener renders to. */
export interface RenderedListener {
  readonly listener: JsonObject;
  /** RDS resources (ADS mode; inlined into the listener in static mode). */
  readonly routes: readonly JsonObject[];
  /** SDS resources (ADS mode). */
  readonly secrets: readonly JsonObject[];
}

/** The LB idle timeout in seconds (`idle_timeout.timeout_seconds`, ALB default 60). */
export function idleTimeoutSeconds(ctx: RenderContext): number {
  return intAttribute(
    ctx,
    ctx.stack.loadBalancer.attributes,
    'idle_timeout.timeout_seconds',
    'loadBalancer.attributes',
    {
      min: 1,
      max: 4000,
      fallback: 60,
    },
  );
}

function httpConnectionManager(ctx: RenderContext, listener: ListenerSpec, routeConfig: JsonObject): JsonObject {
  const idle = seconds(idleTimeoutSeconds(ctx));
  const keepAlive = intAttribute(
    ctx,
    ctx.stack.loadBalancer.attributes,
    'client_keep_alive.seconds',
    'loadBalancer.attributes',
    {
      min: 60,
      max: 604800,
      fallback: 3600,
    },
  );
  const name = String(routeConfig['name']);
  const routes =
    ctx.options.mode === 'ads'
      ? { rds: { route_config_name: name, config_source: ADS_CONFIG_SOURCE } }
      : { route_config: routeConfig };
  return {
    name: EXTENSION.httpConnectionManager,
    typed_config: {
      '@type': typeUrl(MESSAGE.httpConnectionManager),
      stat_prefix: listenerName(ctx, listener),
      // ALB speaks HTTP/2 to clients only on HTTPS listeners (ALPN); plain HTTP is HTTP/1.1.
      codec_type: listener.protocol === 'HTTPS' ? 'AUTO' : 'HTTP1',
      ...routes,
      http_filters: [
        { name: EXTENSION.router, typed_config: { '@type': typeUrl(MESSAGE.router), suppress_envoy_headers: true } },
      ],
      server_name: 'awselb/2.0',
      server_header_transformation: 'APPEND_IF_ABSENT',
      use_remote_address: true,
      append_x_forwarded_port: true,
      generate_request_id: false,
      ...(xffMode(ctx) === 'append' ? {} : { skip_xff_append: true }),
      common_http_protocol_options: { idle_timeout: idle, max_connection_duration: seconds(keepAlive) },
      stream_idle_timeout: idle,
      upgrade_configs: [{ upgrade_type: 'websocket' }],
    },
  };
}

function listenerMetadata(ctx: RenderContext, listener: ListenerSpec): JsonObject {
  const attrs = ctx.stack.loadBalancer.attributes;
  return {
    filter_metadata: {
      [ALB_METADATA_KEY]: {
        listener_port: listener.port,
        protocol: listener.protocol,
        load_balancer: ctx.stack.loadBalancer.name,
        stack: ctx.stack.id,
        preserve_host_header: attribute(attrs, 'routing.http.preserve_host_header.enabled') === 'true',
        xff_header_processing_mode: xffMode(ctx),
        xff_client_port: attribute(attrs, 'routing.http.xff_client_port.enabled') === 'true',
      },
    },
  };
}

function filterChain(
  ctx: RenderContext,
  listener: ListenerSpec,
  cert: CertificateChain | undefined,
  region: SourceCidr | undefined,
  routeConfig: JsonObject,
): JsonObject {
  const base = cert === undefined || cert.serverNames === undefined ? 'default' : `sni:${cert.certificate.key}`;
  const match: JsonObject = {
    ...(cert?.serverNames !== undefined ? { server_names: cert.serverNames } : {}),
    ...(region !== undefined
      ? { source_prefix_ranges: [{ address_prefix: region.cidr.split('/')[0] ?? '', prefix_len: region.prefix }] }
      : {}),
  };
  return {
    name: region === undefined ? base : `${base}/src=${region.cidr}`,
    ...(Object.keys(match).length > 0 ? { filter_chain_match: match } : {}),
    ...(cert !== undefined ? { transport_socket: downstreamTls(ctx, listener, cert.certificate) } : {}),
    filters: [httpConnectionManager(ctx, listener, routeConfig)],
  };
}

/** Renders one ALB listener; undefined (with a diagnostic) when it cannot be served. */
export function renderListener(
  ctx: RenderContext,
  listener: ListenerSpec,
  index: number,
): RenderedListener | undefined {
  const at = `listeners[${index}]`;
  const port = listener.port + ctx.options.portOffset;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    report(
      ctx,
      'InvalidListenerPort',
      `${at}.port`,
      `port ${listener.port} plus offset ${ctx.options.portOffset} is not a port number 1-65535`,
    );
    return undefined;
  }
  let certs: CertificateChain[] | undefined;
  if (listener.protocol === 'HTTPS') {
    certs = certificateChains(ctx, listener, at);
    if (certs === undefined) return undefined;
  }
  const regions: Array<SourceCidr | undefined> = [undefined, ...listenerSourceCidrs(listener)];
  const routes = regions.map((region) => renderRouteConfiguration(ctx, listener, index, region));
  const chains: JsonObject[] = [];
  for (const cert of certs ?? [undefined]) {
    for (const [i, region] of regions.entries()) chains.push(filterChain(ctx, listener, cert, region, routes[i] ?? {}));
  }
  const name = listenerName(ctx, listener);
  return {
    listener: {
      name,
      address: { socket_address: { address: ctx.options.address, port_value: port } },
      ...(listener.protocol === 'HTTPS'
        ? {
            listener_filters: [
              { name: EXTENSION.tlsInspector, typed_config: { '@type': typeUrl(MESSAGE.tlsInspector) } },
            ],
          }
        : {}),
      filter_chains: chains,
      metadata: listenerMetadata(ctx, listener),
    },
    routes: ctx.options.mode === 'ads' ? routes : [],
    secrets: ctx.options.mode === 'ads' ? (certs ?? []).map((c) => renderSecret(c.certificate)) : [],
  };
}
