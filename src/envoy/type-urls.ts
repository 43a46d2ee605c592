/**
 * Envoy v3 type URLs and extension names: the one place Portico spells them (reference/envoy.md §1.1).
 */

const PREFIX = 'type.googleapis.com/';

/** Full type URL of a protobuf message name. */
export function typeUrl(messageName: string): string {
  return `${PREFIX}${messageName}`;
}

/** The message name of a type URL, or undefined when it is not a `type.googleapis.com/` URL. */
export function messageNameOf(url: string): string | undefined {
  return url.startsWith(PREFIX) ? url.slice(PREFIX.length) : undefined;
}

export const MESSAGE = {
  listener: 'envoy.config.listener.v3.Listener',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  cluster: 'envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'envoy.extensions.transport_sockets.tls.v3.Secret',
  bootstrap: 'envoy.config.bootstrap.v3.Bootstrap',
  httpConnectionManager: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  tlsInspector: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  downstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  upstreamTlsContext: 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

/** The five xDS resource types Portico serves, by their type URLs. */
export const TYPE_URL = {
  listener: typeUrl(MESSAGE.listener),
  route: typeUrl(MESSAGE.routeConfiguration),
  cluster: typeUrl(MESSAGE.cluster),
  endpoint: typeUrl(MESSAGE.clusterLoadAssignment),
  secret: typeUrl(MESSAGE.secret),
} as const;

export type XdsTypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

/** Filter and transport-socket names (the `name` beside a `typed_config`). */
export const EXTENSION = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  router: 'envoy.filters.http.router',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  tlsTransportSocket: 'envoy.transport_sockets.tls',
} as const;

/** `metadata.filter_metadata` key under which Portico puts ALB facts that Envoy has no field for. */
export const ALB_METADATA_KEY = 'portico.alb';
