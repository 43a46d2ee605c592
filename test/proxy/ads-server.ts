/**
 * A minimal state-of-the-world ADS server for tests (used until/unless src/envoy/xds is wired in):
 * one snapshot of proto3-JSON resources; each stream gets every type it subscribes to whenever the
 * snapshot's version differs from what it last sent, in CDS → EDS → LDS → RDS → SDS order. It
 * records ACKs and NACKs so tests can assert on them.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { decodeDiscoveryRequest, encodeDiscoveryResponse, xdsRoot } from '../../src/proxy/xds/codec.ts';
import type { DiscoveryRequestShape, DiscoveryResponseShape } from '../../src/proxy/xds/codec.ts';
import { TYPES } from '../../src/proxy/xds/ads-client.ts';

export type Json = Record<string, unknown>;

export interface Snapshot {
  readonly version: string;
  readonly clusters: Json[];
  readonly endpoints: Json[];
  readonly listeners: Json[];
  readonly routes: Json[];
  readonly secrets?: Json[];
}

const ORDER = [TYPES.cluster, TYPES.endpoint, TYPES.listener, TYPES.route, TYPES.secret];

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function durationObject(v: unknown): Json {
  const m = /^(\d+)(?:\.(\d+))?s$/.exec(String(v));
  if (m === null) throw new Error(`bad duration ${String(v)}`);
  return { seconds: Number(m[1]), nanos: m[2] === undefined ? 0 : Math.round(Number(`0.${m[2]}`) * 1e9) };
}

function structValue(v: unknown): Json {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return { structValue: structObject(v as Json) };
}

function structObject(o: Json): Json {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, structValue(v)])) };
}

function convertMessage(typeName: string, value: unknown): unknown {
  switch (typeName) {
    case 'google.protobuf.Duration':
      return typeof value === 'string' ? durationObject(value) : value;
    case 'google.protobuf.UInt32Value':
    case 'google.protobuf.UInt64Value':
    case 'google.protobuf.Int64Value':
    case 'google.protobuf.BoolValue':
    case 'google.protobuf.StringValue':
    case 'google.protobuf.DoubleValue':
      return typeof value === 'object' && value !== null ? value : { value };
    case 'google.protobuf.Struct':
      return structObject(value as Json);
    case 'google.protobuf.Any': {
      const v = value as Json;
      const url = String(v['@type']);
      return { type_url: url, value: encodeJson(url, v) };
    }
    default:
      return toProtobufObject(xdsRoot().lookupType(typeName), value as Json);
  }
}

/** proto3 JSON (snake or camel names, "15s" durations, bare wrappers, Any with @type) → protobufjs object. */
function toProtobufObject(type: protobuf.Type, json: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@type') continue;
    const field = type.fields[key] ?? type.fields[snake(key)];
    if (field === undefined) throw new Error(`unknown field ${key} in ${type.fullName}`);
    field.resolve();
    const msg =
      field.resolvedType instanceof protobuf.Type ? field.resolvedType.fullName.replace(/^\./, '') : undefined;
    const conv = (v: unknown): unknown => (msg === undefined ? v : convertMessage(msg, v));
    if (field.map) out[field.name] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, conv(v)]));
    else if (field.repeated) out[field.name] = (value as unknown[]).map(conv);
    else out[field.name] = conv(value);
  }
  return out;
}

export function encodeJson(typeUrl: string, json: Json): Uint8Array {
  const type = xdsRoot().lookupType(typeUrl.replace('type.googleapis.com/', ''));
  const obj = type.fromObject(toProtobufObject(type, json));
  return type.encode(obj).finish();
}

function namesOf(typeUrl: string, r: Json): string {
  return String(typeUrl === TYPES.endpoint ? r['cluster_name'] : r['name']);
}

interface StreamState {
  readonly call: grpc.ServerDuplexStream<DiscoveryRequestShape, DiscoveryResponseShape>;
  readonly subscribed: Map<string, string[]>;
  readonly sent: Map<string, string>;
  nonce: number;
}

export class TestAdsServer {
  private readonly server = new grpc.Server();
  private snapshot: Snapshot;
  private readonly streams = new Set<StreamState>();
  readonly acks: Array<{ typeUrl: string; version: string }> = [];
  readonly nacks: Array<{ typeUrl: string; message: string }> = [];
  port = 0;

  constructor(initial: Snapshot) {
    this.snapshot = initial;
    this.server.addService(
      {
        stream: {
          path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
          requestStream: true,
          responseStream: true,
          requestDeserialize: decodeDiscoveryRequest,
          requestSerialize: () => Buffer.alloc(0),
          responseSerialize: encodeDiscoveryResponse,
          responseDeserialize: () => ({}) as DiscoveryResponseShape,
        },
      },
      { stream: (call: grpc.ServerDuplexStream<DiscoveryRequestShape, DiscoveryResponseShape>) => this.onStream(call) },
    );
  }

  async start(): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
        e ? reject(e) : resolve(port),
      ),
    );
    return this.port;
  }

  stop(): void {
    for (const s of this.streams) s.call.end();
    this.server.forceShutdown();
  }

  setSnapshot(next: Snapshot): void {
    this.snapshot = next;
    for (const s of this.streams) for (const t of ORDER) if (s.subscribed.has(t)) this.push(s, t);
  }

  private onStream(call: grpc.ServerDuplexStream<DiscoveryRequestShape, DiscoveryResponseShape>): void {
    const state: StreamState = { call, subscribed: new Map(), sent: new Map(), nonce: 0 };
    this.streams.add(state);
    call.on('data', (req: DiscoveryRequestShape) => {
      if (req.error_detail !== undefined && req.error_detail !== null) {
        this.nacks.push({ typeUrl: req.type_url, message: req.error_detail.message });
        return;
      }
      if (req.response_nonce !== undefined && req.response_nonce !== '')
        this.acks.push({ typeUrl: req.type_url, version: req.version_info ?? '' });
      const names = req.resource_names ?? [];
      const before = state.subscribed.get(req.type_url);
      state.subscribed.set(req.type_url, names);
      const namesChanged = before === undefined || before.join('\n') !== names.join('\n');
      if (namesChanged) state.sent.delete(req.type_url);
      if (req.version_info !== this.snapshot.version || namesChanged) this.push(state, req.type_url);
    });
    call.on('end', () => {
      this.streams.delete(state);
      call.end();
    });
    call.on('error', () => this.streams.delete(state));
  }

  private push(state: StreamState, typeUrl: string): void {
    if (state.sent.get(typeUrl) === this.snapshot.version) return;
    const all =
      typeUrl === TYPES.cluster
        ? this.snapshot.clusters
        : typeUrl === TYPES.endpoint
          ? this.snapshot.endpoints
          : typeUrl === TYPES.listener
            ? this.snapshot.listeners
            : typeUrl === TYPES.route
              ? this.snapshot.routes
              : (this.snapshot.secrets ?? []);
    const names = state.subscribed.get(typeUrl) ?? [];
    const wanted = names.length === 0 ? all : all.filter((r) => names.includes(namesOf(typeUrl, r)));
    state.sent.set(typeUrl, this.snapshot.version);
    state.nonce++;
    state.call.write({
      version_info: this.snapshot.version,
      type_url: typeUrl,
      nonce: String(state.nonce),
      resources: wanted.map((r) => ({ type_url: typeUrl, value: encodeJson(typeUrl, r) })),
    });
  }
}
