import type { Logger } from 'pino';
import { TYPE_URL } from '../type-urls.ts';
import type { XdsTypeUrl } from '../type-urls.ts';
import type { DiscoveryRequest, DiscoveryResponse } from './messages.ts';
import { isWildcardType, PUSH_ORDER } from './snapshot.ts';
import type { EncodedResource, Snapshot } from './snapshot.ts';

/**
 * One ADS stream (state of the world, reference/envoy.md §2.3). Per type it remembers the
 * subscription, the response in flight (nonce, version) and what was last sent. Responses go out in
 * PUSH_ORDER, and a type is sent only when every earlier type has no response awaiting ACK/NACK, so
 * a client always has clusters and endpoints before the listeners and routes that use them.
 * Clusters and endpoints dropped by a new snapshot are kept in CDS/EDS until this client has ACKed
 * the new listeners and routes (make before break), then removed by one more CDS response.
 */

interface TypeState {
  requested: boolean;
  wildcard: boolean;
  /** Names the client subscribed to (non-wildcard types). */
  names: ReadonlySet<string>;
  inFlight?: { readonly nonce: string; readonly version: string };
  /** Nonce of the latest response of this type; a request naming another one is stale. */
  lastNonce?: string;
  /** Names and content hashes of the last response, so an unchanged answer is never re-sent. */
  lastSentKey?: string;
  lastSentVersion?: string;
  ackedVersion?: string;
}

/** What the server learns from a stream, for logs, metrics and tests. */
export type StreamEvent =
  | { readonly kind: 'ack'; readonly typeUrl: string; readonly version: string; readonly nodeId: string }
  | {
      readonly kind: 'nack';
      readonly typeUrl: string;
      readonly version: string;
      readonly nodeId: string;
      readonly message: string;
    }
  | {
      readonly kind: 'sent';
      readonly typeUrl: string;
      readonly version: string;
      readonly nodeId: string;
      readonly names: readonly string[];
    };

export interface SnapshotSource {
  current(): Snapshot;
  /** The snapshot before `current`, whose clusters/endpoints a stream keeps until it has moved on. */
  previous(): Snapshot | undefined;
}

export class AdsStream {
  private readonly types = new Map<string, TypeState>();
  private nonceCounter = 0;
  private nodeId = '';
  private readonly source: SnapshotSource;
  private readonly send: (response: Omit<DiscoveryResponse, 'controlPlane'>) => void;
  private readonly onEvent: (event: StreamEvent) => void;
  private readonly log: Logger;

  constructor(
    source: SnapshotSource,
    send: (response: Omit<DiscoveryResponse, 'controlPlane'>) => void,
    onEvent: (event: StreamEvent) => void,
    log: Logger,
  ) {
    this.source = source;
    this.send = send;
    this.onEvent = onEvent;
    this.log = log;
  }

  private state(url: string): TypeState {
    let s = this.types.get(url);
    if (s === undefined) {
      s = { requested: false, wildcard: false, names: new Set() };
      this.types.set(url, s);
    }
    return s;
  }

  /** Handles one DiscoveryRequest, then sends whatever became sendable. */
  receive(request: DiscoveryRequest): void {
    if (request.nodeId !== '') this.nodeId = request.nodeId;
    if (!PUSH_ORDER.includes(request.typeUrl as XdsTypeUrl)) {
      this.log.warn({ typeUrl: request.typeUrl, node: this.nodeId }, 'xds: request for an unsupported type ignored');
      return;
    }
    const s = this.state(request.typeUrl);
    if (request.responseNonce !== '') {
      // A request answering an older response is stale; only the latest nonce counts (§2.3).
      if (request.responseNonce !== s.lastNonce) return;
    }
    // With the latest nonce and nothing in flight, the response was already acknowledged: the request only
    // changes the subscription (a client asks for EDS/RDS names while it applies CDS/LDS, before it ACKs them).
    if (request.responseNonce !== '' && s.inFlight !== undefined) {
      const version = s.inFlight.version;
      s.inFlight = undefined;
      if (request.errorDetail !== undefined) {
        this.log.warn(
          { typeUrl: request.typeUrl, version, node: this.nodeId, error: request.errorDetail.message },
          'xds: NACK',
        );
        this.onEvent({
          kind: 'nack',
          typeUrl: request.typeUrl,
          version,
          nodeId: this.nodeId,
          message: request.errorDetail.message,
        });
      } else {
        s.ackedVersion = request.versionInfo;
        this.onEvent({ kind: 'ack', typeUrl: request.typeUrl, version: request.versionInfo, nodeId: this.nodeId });
      }
    }
    const names = request.resourceNames;
    s.wildcard = isWildcardType(request.typeUrl) && (names.length === 0 || names.includes('*'));
    s.names = new Set(names.filter((n) => n !== '*'));
    s.requested = true;
    this.pump();
  }

  /** Whether this client runs the current snapshot's listeners and routes (ACKed). */
  private settled(current: Snapshot): boolean {
    return [TYPE_URL.listener, TYPE_URL.route].every((url) => {
      const s = this.types.get(url);
      if (s === undefined || !s.requested) return true;
      const fresh = this.contents(url, s, current);
      const key = fresh.resources.map((r) => `${r.name}#${r.hash}`).join(',');
      return s.inFlight === undefined && s.lastSentKey === key && s.ackedVersion === s.lastSentVersion;
    });
  }

  private contents(
    url: XdsTypeUrl,
    s: TypeState,
    current: Snapshot = this.source.current(),
  ): { version: string; resources: EncodedResource[] } {
    const type = current.get(url);
    const all = new Map(type?.resources ?? []);
    let version = type?.version ?? 'empty';
    const previous = this.source.previous();
    if ((url === TYPE_URL.cluster || url === TYPE_URL.endpoint) && previous !== undefined && !this.settled(current)) {
      const kept = [...(previous.get(url)?.resources ?? new Map<string, EncodedResource>()).values()].filter(
        (r) => !all.has(r.name),
      );
      for (const r of kept) all.set(r.name, r);
      if (kept.length > 0) version = `${version}+${previous.get(url)?.version ?? ''}`;
    }
    const resources = [...all.values()]
      .filter((r) => s.wildcard || s.names.has(r.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { version, resources };
  }

  /** Sends the next response(s) in push order; a type waits while an earlier one awaits its ACK. */
  pump(): void {
    for (const url of PUSH_ORDER) {
      const s = this.types.get(url);
      if (s === undefined || !s.requested) continue;
      if (s.inFlight !== undefined) return;
      const { version, resources } = this.contents(url, s);
      // Compared by content, not version: retaining old clusters renames the version, not the set.
      const key = resources.map((r) => `${r.name}#${r.hash}`).join(',');
      if (key === s.lastSentKey) continue;
      const nonce = String(++this.nonceCounter);
      s.inFlight = { nonce, version };
      s.lastNonce = nonce;
      s.lastSentKey = key;
      s.lastSentVersion = version;
      this.send({
        versionInfo: version,
        typeUrl: url,
        nonce,
        resources: resources.map((r) => ({ typeUrl: url, value: r.bytes })),
      });
      this.onEvent({ kind: 'sent', typeUrl: url, version, nodeId: this.nodeId, names: resources.map((r) => r.name) });
      return;
    }
  }
}
