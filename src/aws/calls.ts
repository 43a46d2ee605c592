import PQueue from 'p-queue';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { toAwsCallError } from './errors.ts';

/**
 * Every AWS call goes through one AwsCaller: bounded concurrency (p-queue), a token bucket per
 * operation class, metrics by operation and outcome, and a per-operation count that tests and the
 * benchmark read. Retries happen inside the SDK (adaptive mode); the caller sees one logical call.
 */

/** Clock and sleep, injected so tests never wait on wall time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Rate (calls per second) and burst of one class of operations. */
export interface RateLimit {
  readonly pattern: RegExp;
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * Defaults in the spirit of the AWS Load Balancer Controller's (reference/aws-lbc.md §7), with larger
 * bursts: a change to one group is a handful of calls and should never wait.
 */
export const DEFAULT_RATE_LIMITS: readonly RateLimit[] = [
  { pattern: /^(Register|Deregister)Targets$/, perSecond: 4, burst: 40 },
  { pattern: /^(Describe|List|Get)/, perSecond: 20, burst: 200 },
  { pattern: /.*/, perSecond: 10, burst: 100 },
];

/** Where call outcomes are reported. */
export interface AwsMetrics {
  record(operation: string, outcome: string, attempts: number): void;
}

/** Counters on a prom-client registry: `portico_aws_calls_total{operation,outcome}` and retried attempts. */
export function createAwsMetrics(registry: Registry): AwsMetrics {
  const calls = new Counter({
    name: 'portico_aws_calls_total',
    help: 'AWS API calls by operation and outcome (ok, or the AWS error code)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'portico_aws_call_retries_total',
    help: 'Attempts beyond the first, made by the SDK retry strategy, by operation',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  return {
    record(operation, outcome, attempts) {
      calls.inc({ operation, outcome });
      if (attempts > 1) retries.inc({ operation }, attempts - 1);
    },
  };
}

class TokenBucket {
  #tokens: number;
  #last: number;
  #chain: Promise<void> = Promise.resolve();
  readonly #limit: RateLimit;
  readonly #clock: Clock;
  constructor(limit: RateLimit, clock: Clock) {
    this.#limit = limit;
    this.#clock = clock;
    this.#tokens = limit.burst;
    this.#last = clock.now();
  }
  /** Waits for a token; callers are served in order. */
  take(): Promise<void> {
    const next = this.#chain.then(async () => {
      for (;;) {
        const now = this.#clock.now();
        this.#tokens = Math.min(this.#limit.burst, this.#tokens + ((now - this.#last) / 1000) * this.#limit.perSecond);
        this.#last = now;
        if (this.#tokens >= 1) {
          this.#tokens -= 1;
          return;
        }
        await this.#clock.sleep(Math.ceil(((1 - this.#tokens) / this.#limit.perSecond) * 1000));
      }
    });
    this.#chain = next;
    return next;
  }
}

export interface AwsCallerOptions {
  /** Calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /** @default DEFAULT_RATE_LIMITS; `[]` disables client-side rate limiting. */
  readonly rateLimits?: readonly RateLimit[];
  readonly metrics?: AwsMetrics;
  readonly clock?: Clock;
  /** Called before every call; a test throws here to simulate a crash after k calls. */
  readonly beforeCall?: (operation: string) => void;
}

export class AwsCaller {
  readonly #queue: PQueue;
  readonly #limits: readonly RateLimit[];
  readonly #buckets = new Map<RateLimit, TokenBucket>();
  readonly #options: AwsCallerOptions;
  readonly #clock: Clock;
  readonly #counts = new Map<string, number>();

  constructor(options: AwsCallerOptions = {}) {
    this.#options = options;
    this.#queue = new PQueue({ concurrency: options.concurrency ?? 8 });
    this.#limits = options.rateLimits ?? DEFAULT_RATE_LIMITS;
    this.#clock = options.clock ?? systemClock;
  }

  /** Runs one AWS call; `fn` sends one SDK command. Errors come back as AwsCallError. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    this.#options.beforeCall?.(operation);
    const limit = this.#limits.find((l) => l.pattern.test(operation));
    if (limit !== undefined) {
      let bucket = this.#buckets.get(limit);
      if (bucket === undefined) {
        bucket = new TokenBucket(limit, this.#clock);
        this.#buckets.set(limit, bucket);
      }
      await bucket.take();
    }
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
    return this.#queue.add(async () => {
      try {
        const out = await fn();
        this.#options.metrics?.record(operation, 'ok', attemptsOf(out));
        return out;
      } catch (e: unknown) {
        const err = toAwsCallError(operation, e);
        this.#options.metrics?.record(operation, err.awsCode, attemptsOf(e));
        throw err;
      }
    });
  }

  /** Logical calls made so far, by operation. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }
}

function attemptsOf(x: unknown): number {
  const meta =
    (typeof x === 'object' && x !== null ? (x as { $metadata?: { attempts?: number } }).$metadata : undefined) ?? {};
  return meta.attempts ?? 1;
}
