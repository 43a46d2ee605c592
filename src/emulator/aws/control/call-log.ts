/**
 * Every API call the emulator answered, for tests and benchmarks ("how many AWS calls did that
 * reconcile make?"). Counters are kept per `Service.Operation`; the last calls are kept in order.
 */
export interface CallRecord {
  readonly seq: number;
  readonly service: 'elbv2' | 'ec2' | 'acm' | 'tagging';
  readonly operation: string;
  readonly region: string;
  readonly status: number;
  /** Wire error code when the call failed. */
  readonly errorCode?: string;
  /** Set when the failure was injected (`fault`) or came from the aws-like rate limit (`rate-limit`). */
  readonly injected?: 'fault' | 'rate-limit';
  readonly durationMs: number;
}

export interface OperationCounters {
  calls: number;
  errors: number;
  throttled: number;
}

const KEEP = 10_000;

export class CallLog {
  #seq = 0;
  #calls: CallRecord[] = [];
  #counters = new Map<string, OperationCounters>();

  record(call: Omit<CallRecord, 'seq'>): void {
    const entry = { ...call, seq: ++this.#seq };
    this.#calls.push(entry);
    if (this.#calls.length > KEEP * 2) this.#calls = this.#calls.slice(-KEEP);
    const key = call.operation;
    let c = this.#counters.get(key);
    if (c === undefined) {
      c = { calls: 0, errors: 0, throttled: 0 };
      this.#counters.set(key, c);
    }
    c.calls++;
    if (call.status >= 300) c.errors++;
    if (call.errorCode === 'Throttling' || call.errorCode === 'ThrottlingException') c.throttled++;
  }

  /** Counters by operation name, sorted by name, plus the total. */
  counters(): { total: number; byOperation: Record<string, OperationCounters> } {
    const byOperation: Record<string, OperationCounters> = {};
    let total = 0;
    for (const key of [...this.#counters.keys()].sort()) {
      const c = this.#counters.get(key);
      if (c === undefined) continue;
      byOperation[key] = { ...c };
      total += c.calls;
    }
    return { total, byOperation };
  }

  /** The most recent calls, oldest first. */
  recent(limit = 1000): CallRecord[] {
    return this.#calls.slice(-Math.max(0, limit));
  }

  clear(): void {
    this.#calls = [];
    this.#counters = new Map();
  }
}
