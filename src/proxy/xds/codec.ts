import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * The xDS wire codec: Envoy's protos (vendored in @grpc/grpc-js-xds) loaded with protobufjs, so a
 * DiscoveryResponse decodes into the same proto3-JSON shape a static bootstrap has (snake_case
 * names, `Any` as `{"@type": …}`, Struct metadata as plain JSON) and one set of readers serves both.
 */

const require = createRequire(import.meta.url);
const XDS_DEPS = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const PROTOBUF_DIR = path.dirname(require.resolve('protobufjs/package.json'));
const INCLUDE = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(XDS_DEPS, d));

const ENTRY_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/connection_limit/v3/connection_limit.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

let root: protobuf.Root | undefined;

/** The loaded proto registry (built once, ~0.3 s). */
export function xdsRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    if (target.startsWith('google/protobuf/')) return path.join(PROTOBUF_DIR, target);
    for (const dir of INCLUDE) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  r.loadSync(ENTRY_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export const TYPE_PREFIX = 'type.googleapis.com/';

/** Converts a decoded google.protobuf.Struct (`{fields: {k: {string_value…}}}`) to plain JSON. */
function structToJson(s: unknown): unknown {
  if (typeof s !== 'object' || s === null) return s;
  const fields = (s as { fields?: Record<string, unknown> }).fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = valueToJson(v);
  return out;
}

function valueToJson(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  // protobufjs's built-in google/protobuf/struct.proto uses camelCase field names.
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return o['stringValue'];
  if ('numberValue' in o) return o['numberValue'];
  if ('boolValue' in o) return o['boolValue'];
  if ('structValue' in o) return structToJson(o['structValue']);
  if ('listValue' in o) return ((o['listValue'] as { values?: unknown[] }).values ?? []).map(valueToJson);
  return null;
}

/** Rewrites every `filter_metadata` map (values are Structs) into plain JSON, in place. */
function fixMetadata(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) fixMetadata(n);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'filter_metadata' && typeof v === 'object' && v !== null) {
      const m = v as Record<string, unknown>;
      for (const key of Object.keys(m)) m[key] = structToJson(m[key]);
    } else fixMetadata(v);
  }
}

/** Decodes one `Any` resource into proto3-JSON shape. */
export function decodeResource(typeUrl: string, value: Uint8Array): unknown {
  const type = xdsRoot().lookupType(typeUrl.replace(TYPE_PREFIX, ''));
  const message = type.decode(value);
  const obj = type.toObject(message, { longs: Number, enums: String, bytes: String, json: true, defaults: false });
  fixMetadata(obj);
  return obj;
}

export interface DiscoveryRequestShape {
  version_info?: string;
  node?: { id: string; cluster: string; user_agent_name?: string };
  resource_names?: string[];
  type_url: string;
  response_nonce?: string;
  error_detail?: { code: number; message: string };
}

export interface DiscoveryResponseShape {
  version_info: string;
  resources: Array<{ type_url: string; value: Uint8Array }>;
  type_url: string;
  nonce: string;
}

export function encodeDiscoveryRequest(req: DiscoveryRequestShape): Buffer {
  const t = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  return Buffer.from(t.encode(t.fromObject(req)).finish());
}

export function decodeDiscoveryRequest(buf: Uint8Array): DiscoveryRequestShape {
  const t = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  return t.toObject(t.decode(buf), { longs: Number, enums: String, defaults: false }) as DiscoveryRequestShape;
}

export function encodeDiscoveryResponse(res: DiscoveryResponseShape): Buffer {
  const t = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  return Buffer.from(t.encode(t.fromObject(res)).finish());
}

export function decodeDiscoveryResponse(buf: Uint8Array): DiscoveryResponseShape {
  const t = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  const o = t.toObject(t.decode(buf), { longs: Number, enums: String, defaults: true }) as DiscoveryResponseShape;
  return o;
}
