import type { Endpoint } from './endpoint.ts';
import type { LbPolicy } from '../config/cluster.ts';

/**
 * Host selection over the candidate set (healthy hosts, or every non-draining host when the cluster
 * fails open). ROUND_ROBIN is smooth weighted round-robin (equal weights: plain rotation);
 * LEAST_REQUEST picks the fewest in-flight requests (ALB's least_outstanding_requests is exact, so
 * no two-choice sampling), rotating among ties; RANDOM is weighted random.
 */
export class Balancer {
  private readonly policy: LbPolicy;
  private cursor = 0;
  private readonly random: () => number;

  constructor(policy: LbPolicy, random: () => number = Math.random) {
    this.policy = policy;
    this.random = random;
  }

  pick(candidates: readonly Endpoint[]): Endpoint | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    if (this.policy === 'LEAST_REQUEST') return this.leastRequest(candidates);
    if (this.policy === 'RANDOM') return this.weightedRandom(candidates);
    return this.roundRobin(candidates);
  }

  private roundRobin(c: readonly Endpoint[]): Endpoint | undefined {
    let uniform = true;
    for (const e of c) if (e.weight !== 1) uniform = false;
    if (uniform) return c[this.cursor++ % c.length];
    let total = 0;
    let best: Endpoint | undefined;
    for (const e of c) {
      e.current += e.weight;
      total += e.weight;
      if (best === undefined || e.current > best.current) best = e;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }

  private leastRequest(c: readonly Endpoint[]): Endpoint | undefined {
    const start = this.cursor++ % c.length;
    let best: Endpoint | undefined;
    for (let i = 0; i < c.length; i++) {
      const e = c[(start + i) % c.length];
      if (e !== undefined && (best === undefined || e.outstanding < best.outstanding)) best = e;
    }
    return best;
  }

  private weightedRandom(c: readonly Endpoint[]): Endpoint | undefined {
    let total = 0;
    for (const e of c) total += e.weight;
    let x = this.random() * total;
    for (const e of c) {
      x -= e.weight;
      if (x < 0) return e;
    }
    return c[c.length - 1];
  }
}
