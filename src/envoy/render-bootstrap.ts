import type { JsonObject } from './json.ts';
import type { EnvoyResources } from './render.ts';
import { ADS_CONFIG_SOURCE } from './render-options.ts';
import { MESSAGE, typeUrl } from './type-urls.ts';

/**
 * Envoy bootstrap files (`envoy.config.bootstrap.v3.Bootstrap`): a static one holding every
 * resource inline (render in `static` mode), or an ADS one that points at Portico's xDS server.
 * Both run in the bundled proxy (`portico proxy -c`) and in a real Envoy.
 */

export interface BootstrapNode {
  /** @default 'portico-proxy' */
  readonly id?: string;
  /** @default 'portico' */
  readonly cluster?: string;
}

function node(n: BootstrapNode): JsonObject {
  return { id: n.id ?? 'portico-proxy', cluster: n.cluster ?? 'portico' };
}

/** A static bootstrap from resources rendered in `static` mode. */
export function renderStaticBootstrap(resources: EnvoyResources, n: BootstrapNode = {}): JsonObject {
  return {
    node: node(n),
    static_resources: { listeners: resources.listeners, clusters: resources.clusters },
  };
}

/** Name of the static cluster that reaches the xDS server. */
export const XDS_CLUSTER = 'portico_xds';

/** A bootstrap that takes everything over ADS from `address:port` (HTTP/2 cleartext gRPC). */
export function renderAdsBootstrap(
  xds: { readonly address: string; readonly port: number },
  n: BootstrapNode = {},
): JsonObject {
  return {
    node: node(n),
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
      },
      lds_config: ADS_CONFIG_SOURCE,
      cds_config: ADS_CONFIG_SOURCE,
    },
    static_resources: {
      clusters: [
        {
          name: XDS_CLUSTER,
          type: 'STATIC',
          connect_timeout: '1s',
          typed_extension_protocol_options: {
            [MESSAGE.httpProtocolOptions]: {
              '@type': typeUrl(MESSAGE.httpProtocolOptions),
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: {
            cluster_name: XDS_CLUSTER,
            endpoints: [
              {
                lb_endpoints: [
                  { endpoint: { address: { socket_address: { address: xds.address, port_value: xds.port } } } },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}
