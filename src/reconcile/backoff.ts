/**
 * Exponential backoff with full jitter for retryable reconcile failures: the n-th consecutive
 * failure waits a random time in [base·2ⁿ⁻¹ / 2, base·2ⁿ⁻¹], capped at `maxMs`.
 */
export interface BackoffPolicy {
  /** @default 1000 */
  readonly baseMs: number;
  /** @default 300000 (5 minutes) */
  readonly maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1000, maxMs: 300_000 };

/** Delay before retry number `failures` (1 = first retry); `random` in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random);
}
