import type { ResourceKind } from './registry.ts';
import type { ObjectStore } from './store.ts';
import type { WatchHub } from './watch.ts';
import { ApiError } from './status.ts';

/** Which requests a fault applies to; every field given must match. */
export interface FaultMatch {
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb?: string;
  /** Plural resource name, e.g. `ingresses`. */
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
}

/** A request, as fault matching sees it. */
export interface FaultRequest {
  readonly verb: string;
  readonly resource: string | undefined;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
}

const reasons: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function matches(m: FaultMatch | undefined, r: FaultRequest): boolean {
  if (m === undefined) return true;
  return (
    (m.verb === undefined || m.verb === r.verb) &&
    (m.resource === undefined || m.resource === r.resource) &&
    (m.subresource === undefined || m.subresource === r.subresource) &&
    (m.namespace === undefined || m.namespace === r.namespace)
  );
}

/**
 * Fault injection for tests of the controller's resilience: each method reproduces one way a real
 * API server or the network misbehaves (see docs/kube-api.md, "Fault injection").
 */
export class Faults {
  private failures: Array<{ remaining: number; code: number; match: FaultMatch | undefined; message: string }> = [];
  private delays: Array<{ ms: number; match: FaultMatch | undefined }> = [];
  private readonly watches: WatchHub;
  private readonly store: ObjectStore;

  constructor(watches: WatchHub, store: ObjectStore) {
    this.watches = watches;
    this.store = store;
  }

  /** Ends every open watch cleanly (as a real server does at its request timeout); returns how many. */
  closeWatches(): number {
    return this.watches.closeAll();
  }

  /** Forgets the change history: a watch resuming from any earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.store.compact();
  }

  /**
   * Answers the next `count` matching requests with `code` and a Status of the matching reason
   * (429 carries `retryAfterSeconds: 1`).
   */
  failNext(count: number, code: number, match?: FaultMatch, message = 'injected fault'): void {
    this.failures.push({ remaining: count, code, match, message });
  }

  /** Open and future watches (optionally only of `resource`) go silent until `resumeWatches()`. */
  stallWatches(resource?: string): void {
    this.watches.stall(resource === undefined ? undefined : (k: ResourceKind) => k.plural === resource);
  }

  /** Ends a stall: queued events are delivered in order. */
  resumeWatches(): void {
    this.watches.resume();
  }

  /** Delays every matching response by `ms` until `clear()`. */
  delay(ms: number, match?: FaultMatch): void {
    this.delays.push({ ms, match });
  }

  /** Removes pending failures, delays and stalls. */
  clear(): void {
    this.failures = [];
    this.delays = [];
    this.watches.resume();
  }

  /** Number of open watch streams (for tests that wait for a client to re-watch). */
  get openWatches(): number {
    return this.watches.count;
  }

  /** @internal The delay to apply to this request, in ms. */
  delayFor(r: FaultRequest): number {
    return this.delays.filter((d) => matches(d.match, r)).reduce((sum, d) => sum + d.ms, 0);
  }

  /** @internal The injected failure for this request, if any (consumes one). */
  failureFor(r: FaultRequest): ApiError | undefined {
    const f = this.failures.find((x) => x.remaining > 0 && matches(x.match, r));
    if (f === undefined) return undefined;
    f.remaining--;
    this.failures = this.failures.filter((x) => x.remaining > 0);
    const reason = reasons[f.code] ?? (f.code >= 500 ? 'InternalError' : 'BadRequest');
    return new ApiError(f.code, reason, f.message, f.code === 429 ? { retryAfterSeconds: 1 } : undefined);
  }
}
