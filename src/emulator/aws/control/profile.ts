/**
 * Latency and rate-limit profiles. `default` answers as fast as it can with no limits (tests);
 * `aws-like` adds per-call latency and per-operation token buckets shaped like the ELB API's
 * documented throttling (a bucket of 40 with a refill of 10/s for describes; mutating calls get a
 * smaller one), so benchmarks see AWS-like costs and the SDK's Throttling retries.
 * The figures are approximations of AWS behaviour, not measurements.
 */
export interface ProfileSettings {
  readonly name: string;
  /** Latency added to read-only calls, in ms. */
  readonly readLatencyMs: number;
  /** Latency added to mutating calls, in ms. */
  readonly writeLatencyMs: number;
  /** Token bucket per operation, or undefined for no rate limit. */
  readonly readBucket?: { readonly capacity: number; readonly refillPerSecond: number };
  readonly writeBucket?: { readonly capacity: number; readonly refillPerSecond: number };
}

export const PROFILES: Readonly<Record<string, ProfileSettings>> = {
  default: { name: 'default', readLatencyMs: 0, writeLatencyMs: 0 },
  'aws-like': {
    name: 'aws-like',
    readLatencyMs: 40,
    writeLatencyMs: 120,
    readBucket: { capacity: 40, refillPerSecond: 10 },
    writeBucket: { capacity: 20, refillPerSecond: 5 },
  },
};

/** Per-operation token buckets for the active profile. */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>();
  profile: ProfileSettings;

  constructor(profile: ProfileSettings) {
    this.profile = profile;
  }

  setProfile(profile: ProfileSettings): void {
    this.profile = profile;
    this.#buckets.clear();
  }

  latencyMs(mutating: boolean): number {
    return mutating ? this.profile.writeLatencyMs : this.profile.readLatencyMs;
  }

  /** Takes a token for the operation; false means the call must be throttled. */
  take(operation: string, mutating: boolean, nowMs: number): boolean {
    const spec = mutating ? this.profile.writeBucket : this.profile.readBucket;
    if (spec === undefined) return true;
    let b = this.#buckets.get(operation);
    if (b === undefined) {
      b = { tokens: spec.capacity, at: nowMs };
      this.#buckets.set(operation, b);
    }
    b.tokens = Math.min(spec.capacity, b.tokens + ((nowMs - b.at) / 1000) * spec.refillPerSecond);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
