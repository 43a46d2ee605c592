import { messageType } from './protos.ts';

/** DiscoveryRequest / DiscoveryResponse on the wire (state-of-the-world ADS). */

export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly nodeId: string;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Set on a NACK. */
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

export interface DiscoveryResponse {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: ReadonlyArray<{ readonly typeUrl: string; readonly value: Uint8Array }>;
  readonly controlPlane: string;
}

const REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
const RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse';

export function decodeDiscoveryRequest(bytes: Uint8Array): DiscoveryRequest {
  const t = messageType(REQUEST);
  const o = t.toObject(t.decode(bytes), { defaults: true, longs: Number, enums: String }) as {
    version_info: string;
    node?: { id?: string };
    resource_names: string[];
    type_url: string;
    response_nonce: string;
    error_detail?: { code?: number; message?: string };
  };
  return {
    versionInfo: o.version_info,
    nodeId: o.node?.id ?? '',
    resourceNames: o.resource_names,
    typeUrl: o.type_url,
    responseNonce: o.response_nonce,
    ...(o.error_detail !== undefined && o.error_detail !== null
      ? { errorDetail: { code: o.error_detail.code ?? 0, message: o.error_detail.message ?? '' } }
      : {}),
  };
}

export function encodeDiscoveryRequest(r: DiscoveryRequest): Uint8Array {
  const t = messageType(REQUEST);
  return t
    .encode(
      t.fromObject({
        version_info: r.versionInfo,
        node: { id: r.nodeId },
        resource_names: [...r.resourceNames],
        type_url: r.typeUrl,
        response_nonce: r.responseNonce,
        ...(r.errorDetail !== undefined ? { error_detail: r.errorDetail } : {}),
      }),
    )
    .finish();
}

export function encodeDiscoveryResponse(r: DiscoveryResponse): Uint8Array {
  const t = messageType(RESPONSE);
  return t
    .encode(
      t.fromObject({
        version_info: r.versionInfo,
        type_url: r.typeUrl,
        nonce: r.nonce,
        resources: r.resources.map((x) => ({ type_url: x.typeUrl, value: x.value })),
        control_plane: { identifier: r.controlPlane },
      }),
    )
    .finish();
}

export function decodeDiscoveryResponse(bytes: Uint8Array): DiscoveryResponse {
  const t = messageType(RESPONSE);
  const o = t.toObject(t.decode(bytes), { defaults: true }) as {
    version_info: string;
    type_url: string;
    nonce: string;
    resources: Array<{ type_url: string; value: Uint8Array }>;
    control_plane?: { identifier?: string };
  };
  return {
    versionInfo: o.version_info,
    typeUrl: o.type_url,
    nonce: o.nonce,
    resources: o.resources.map((x) => ({ typeUrl: x.type_url, value: x.value })),
    controlPlane: o.control_plane?.identifier ?? '',
  };
}
