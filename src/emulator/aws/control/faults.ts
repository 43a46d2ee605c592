import type { Ids } from '../state/ids.ts';

/**
 * Injected faults, set through `/_portico/faults` or the programmatic API. A rule applies to one
 * operation name (e.g. `CreateRule`) or to every operation (`*`).
 */
export interface FaultRule {
  /** Operation name, or `*` for all. */
  readonly operation: string;
  /** Fraction (0–1) of calls answered with `Throttling` (ELBv2/EC2) or `ThrottlingException` (JSON services). */
  readonly throttleRate?: number;
  /** Extra delay before the call is handled. */
  readonly latencyMs?: number;
  /** Fail the next `count` calls with this error. */
  readonly failNext?: {
    readonly count: number;
    readonly code: string;
    readonly message?: string;
    readonly status?: number;
  };
  /** Destroy the connection without a response for the next N calls. */
  readonly dropNext?: number;
}

/** What the fault layer decided for one call. */
export type FaultDecision =
  | { readonly kind: 'drop'; readonly latencyMs: number }
  | {
      readonly kind: 'fail';
      readonly code: string;
      readonly message: string;
      readonly status: number;
      readonly latencyMs: number;
    }
  | { readonly kind: 'throttle'; readonly latencyMs: number }
  | { readonly kind: 'pass'; readonly latencyMs: number };

interface LiveRule {
  operation: string;
  throttleRate: number;
  latencyMs: number;
  failNext: { count: number; code: string; message: string; status: number } | undefined;
  dropNext: number;
}

export class Faults {
  #rules = new Map<string, LiveRule>();
  readonly #ids: Ids;

  constructor(ids: Ids) {
    this.#ids = ids;
  }

  /** Validates and installs a rule, replacing any rule for the same operation. Returns a problem, if any. */
  set(rule: FaultRule): string | undefined {
    if (typeof rule.operation !== 'string' || !/^(\*|[A-Za-z0-9]{1,64})$/.test(rule.operation))
      return 'operation must be an operation name or *';
    const rate = rule.throttleRate ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) return 'throttleRate must be a number from 0 to 1';
    const latency = rule.latencyMs ?? 0;
    if (typeof latency !== 'number' || !(latency >= 0 && latency <= 600_000))
      return 'latencyMs must be a number from 0 to 600000';
    const drop = rule.dropNext ?? 0;
    if (!Number.isInteger(drop) || drop < 0) return 'dropNext must be a non-negative integer';
    const f = rule.failNext;
    if (f !== undefined) {
      if (!Number.isInteger(f.count) || f.count < 0) return 'failNext.count must be a non-negative integer';
      if (typeof f.code !== 'string' || f.code === '') return 'failNext.code must be a non-empty string';
      if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599))
        return 'failNext.status must be 400-599';
    }
    this.#rules.set(rule.operation, {
      operation: rule.operation,
      throttleRate: rate,
      latencyMs: latency,
      failNext:
        f === undefined
          ? undefined
          : { count: f.count, code: f.code, message: f.message ?? `Injected ${f.code}`, status: f.status ?? 400 },
      dropNext: drop,
    });
    return undefined;
  }

  list(): FaultRule[] {
    return [...this.#rules.values()].map((r) => ({
      operation: r.operation,
      throttleRate: r.throttleRate,
      latencyMs: r.latencyMs,
      failNext: r.failNext === undefined ? undefined : { ...r.failNext },
      dropNext: r.dropNext,
    }));
  }

  clear(): void {
    this.#rules.clear();
  }

  /** Decides the fate of one call; consumes `failNext`/`dropNext` budget. The specific rule wins over `*`. */
  decide(operation: string): FaultDecision {
    const rules = [this.#rules.get(operation), this.#rules.get('*')].filter((r): r is LiveRule => r !== undefined);
    const latencyMs = rules.reduce((n, r) => n + r.latencyMs, 0);
    for (const r of rules) {
      if (r.dropNext > 0) {
        r.dropNext--;
        return { kind: 'drop', latencyMs };
      }
    }
    for (const r of rules) {
      if (r.failNext !== undefined && r.failNext.count > 0) {
        r.failNext.count--;
        return {
          kind: 'fail',
          code: r.failNext.code,
          message: r.failNext.message,
          status: r.failNext.status,
          latencyMs,
        };
      }
    }
    for (const r of rules) {
      if (r.throttleRate > 0 && this.#ids.next() < r.throttleRate) return { kind: 'throttle', latencyMs };
    }
    return { kind: 'pass', latencyMs };
  }
}
