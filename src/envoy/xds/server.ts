import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { EnvoyResources } from '../render.ts';
import { decodeDiscoveryRequest, encodeDiscoveryResponse } from './messages.ts';
import type { DiscoveryResponse } from './messages.ts';
import { buildSnapshot, emptySnapshot } from './snapshot.ts';
import type { Snapshot } from './snapshot.ts';
import { AdsStream } from './stream.ts';
import type { StreamEvent } from './stream.ts';

/**
 * The ADS server: Envoy's AggregatedDiscoveryService (state of the world) over gRPC, serving one
 * snapshot to every client. `setResources` swaps the snapshot and pushes the changed types to every
 * stream in CDS → EDS → LDS → RDS → SDS order (see stream.ts). Delta xDS is not offered (clients get
 * UNIMPLEMENTED and fall back to state of the world).
 */

export const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

const adsService: grpc.ServiceDefinition = {
  StreamAggregatedResources: {
    path: ADS_METHOD,
    requestStream: true,
    responseStream: true,
    requestSerialize: (value: Uint8Array) => Buffer.from(value),
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Uint8Array) => Buffer.from(value),
    responseDeserialize: (bytes: Buffer) => bytes,
    originalName: 'streamAggregatedResources',
  },
};

export interface AdsServerOptions {
  /** @default a silent logger */
  readonly logger?: Logger;
  /** Sent as `control_plane.identifier`. @default 'portico' */
  readonly controlPlaneId?: string;
}

/** Emits `event` (StreamEvent) for every ACK, NACK and response, and `stream` with the open stream count. */
export class AdsServer extends EventEmitter {
  private readonly server = new grpc.Server();
  private readonly streams = new Set<AdsStream>();
  private readonly log: Logger;
  private readonly controlPlaneId: string;
  private snapshot: Snapshot = emptySnapshot();
  private previousSnapshot: Snapshot | undefined;

  constructor(options: AdsServerOptions = {}) {
    super();
    this.log = options.logger ?? pino({ level: 'silent' });
    this.controlPlaneId = options.controlPlaneId ?? 'portico';
    this.server.addService(adsService, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Uint8Array>) => this.handle(call),
    });
  }

  private handle(call: grpc.ServerDuplexStream<Buffer, Uint8Array>): void {
    const source = { current: () => this.snapshot, previous: () => this.previousSnapshot };
    const send = (r: Omit<DiscoveryResponse, 'controlPlane'>) => {
      call.write(encodeDiscoveryResponse({ ...r, controlPlane: this.controlPlaneId }));
    };
    const stream = new AdsStream(source, send, (e: StreamEvent) => this.emit('event', e), this.log);
    this.streams.add(stream);
    this.emit('stream', this.streams.size);
    const close = () => {
      if (this.streams.delete(stream)) this.emit('stream', this.streams.size);
    };
    call.on('data', (bytes: Buffer) => {
      try {
        stream.receive(decodeDiscoveryRequest(bytes));
      } catch (e: unknown) {
        this.log.warn({ err: e }, 'xds: undecodable DiscoveryRequest; closing the stream');
        call.destroy(e instanceof Error ? e : new Error(String(e)));
        close();
      }
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', close);
    call.on('close', close);
  }

  /** Replaces the served resources (throws ResourceEncodingError before changing anything if one is invalid). */
  setResources(resources: EnvoyResources): void {
    const next = buildSnapshot(resources);
    this.previousSnapshot = this.snapshot;
    this.snapshot = next;
    this.log.info(
      { versions: Object.fromEntries([...next].map(([url, t]) => [url.split('.').pop(), t.version])) },
      'xds: new snapshot',
    );
    for (const stream of this.streams) stream.pump();
  }

  /** Open ADS streams. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Binds `host:port` (port 0 = any free port) and returns the port. */
  listen(host = '127.0.0.1', port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err !== null) reject(err);
        else resolve(bound);
      });
    });
  }

  /** Stops accepting streams and ends the open ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      // Open streams would hold a graceful shutdown forever; ADS clients reconnect anyway.
      setImmediate(() => this.server.forceShutdown());
    });
  }
}
