import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import type { JsonValue as BufJson } from '@bufbuild/protobuf';
import { envoyRegistry } from './envoy-protos.ts';

/**
 * A real @grpc/grpc-js ADS client for tests, independent of the server's codec: the service comes
 * from @grpc/proto-loader and resources are decoded by @bufbuild/protobuf from the official protos.
 */

const require = createRequire(import.meta.url);
const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

export interface Received {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  /** Each resource decoded to proto3 JSON. */
  readonly resources: readonly BufJson[];
}

interface RawResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: Array<{ type_url: string; value: Buffer }>;
}

type AdsCall = grpc.ClientDuplexStream<object, RawResponse>;

let clientConstructor: grpc.ServiceClientConstructor | undefined;

function adsClientConstructor(): grpc.ServiceClientConstructor {
  if (clientConstructor !== undefined) return clientConstructor;
  const def = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [
      join(deps, 'envoy-api'),
      join(deps, 'xds'),
      join(deps, 'googleapis'),
      join(deps, 'protoc-gen-validate'),
    ],
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: grpc.ServiceClientConstructor } } } };
  };
  clientConstructor = pkg.envoy.service.discovery.v3.AggregatedDiscoveryService;
  return clientConstructor;
}

function decodeResource(typeUrl: string, value: Buffer): BufJson {
  const registry = envoyRegistry();
  const schema = registry.getMessage(typeUrl.replace('type.googleapis.com/', ''));
  if (schema === undefined) throw new Error(`no schema for ${typeUrl}`);
  return toJson(schema, fromBinary(schema, value), { registry, useProtoFieldName: true });
}

export class AdsTestClient {
  private readonly client: grpc.Client;
  private readonly call: AdsCall;
  private readonly queue: Received[] = [];
  private readonly waiters: Array<(r: Received) => void> = [];
  private readonly nodeId: string;

  constructor(port: number, nodeId = 'test-node') {
    const Ctor = adsClientConstructor();
    this.client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.nodeId = nodeId;
    this.call = (this.client as unknown as { StreamAggregatedResources(): AdsCall }).StreamAggregatedResources();
    this.call.on('data', (raw: RawResponse) => {
      const r: Received = {
        versionInfo: raw.version_info,
        typeUrl: raw.type_url,
        nonce: raw.nonce,
        resources: raw.resources.map((x) => decodeResource(x.type_url, x.value)),
      };
      const w = this.waiters.shift();
      if (w !== undefined) w(r);
      else this.queue.push(r);
    });
    this.call.on('error', () => undefined);
  }

  /** Sends a DiscoveryRequest. */
  request(typeUrl: string, options: { names?: string[]; version?: string; nonce?: string; nack?: string } = {}): void {
    this.call.write({
      version_info: options.version ?? '',
      node: { id: this.nodeId, cluster: 'test' },
      resource_names: options.names ?? [],
      type_url: typeUrl,
      response_nonce: options.nonce ?? '',
      ...(options.nack !== undefined ? { error_detail: { code: 3, message: options.nack } } : {}),
    });
  }

  /** ACKs a response (echoing its version and nonce), keeping `names` subscribed. */
  ack(r: Received, names: string[] = []): void {
    this.request(r.typeUrl, { names, version: r.versionInfo, nonce: r.nonce });
  }

  /** The next response; rejects after `timeoutMs` (a hang is a failure, not a wait). */
  next(timeoutMs = 5000): Promise<Received> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no xDS response')), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Responses received and not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}
