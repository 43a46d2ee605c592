import type { Clock, Ids } from './ids.ts';
import type { EmulatorQuotas } from './quotas.ts';
import { RegionState } from './region.ts';

/** What changed, for data-plane subscribers: `config` after a mutating API call, `health` after a probe verdict. */
export interface StateChange {
  readonly kind: 'config' | 'health' | 'reset';
  /** The operation (e.g. `CreateRule`) or `HealthCheck`. */
  readonly reason: string;
}

export type ChangeListener = (change: StateChange) => void;

/** Timing knobs of the emulated control plane. */
export interface EmulatorTiming {
  /** How long a new load balancer stays `provisioning`. @default 0 (active from the next describe) */
  readonly provisioningMs: number;
  /**
   * Multiplies every emulated duration (health-check interval and timeout, deregistration delay,
   * provisioning). Tests use e.g. 0.01 so a 5 s interval probes every 50 ms. @default 1
   */
  readonly timeScale: number;
}

/** All regions of the one emulated account, plus the shared identifier source, clock and quotas. */
export class Store {
  readonly account: string;
  readonly ids: Ids;
  readonly clock: Clock;
  quotas: EmulatorQuotas;
  timing: EmulatorTiming;
  #regions = new Map<string, RegionState>();
  readonly #listeners = new Set<ChangeListener>();
  /** Bumped on every change; cheap "has anything changed?" for pollers. */
  version = 0;

  constructor(options: { account: string; ids: Ids; clock: Clock; quotas: EmulatorQuotas; timing: EmulatorTiming }) {
    this.account = options.account;
    this.ids = options.ids;
    this.clock = options.clock;
    this.quotas = options.quotas;
    this.timing = options.timing;
  }

  /** The region's state, seeded with a default VPC the first time it is used. */
  region(name: string): RegionState {
    let region = this.#regions.get(name);
    if (region === undefined) {
      region = new RegionState(name, this.account, this.ids);
      this.#regions.set(name, region);
    }
    return region;
  }

  regions(): RegionState[] {
    return [...this.#regions.values()];
  }

  /** Forgets every resource; regions are re-seeded on next use. */
  reset(): void {
    this.#regions = new Map();
    this.notify({ kind: 'reset', reason: 'Reset' });
  }

  /** Scales an emulated duration given in seconds to clock milliseconds. */
  scaledMs(seconds: number): number {
    return seconds * 1000 * this.timing.timeScale;
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(change: StateChange): void {
    this.version++;
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // A subscriber's failure must not fail the API call that triggered it.
      }
    }
  }
}
