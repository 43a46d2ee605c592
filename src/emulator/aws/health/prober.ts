import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { TargetGroupRecord, TargetRecord } from '../state/records.ts';
import type { RegionState } from '../state/region.ts';
import type { Store } from '../state/store.ts';
import { HEALTHY, INITIAL_CHECKING, REGISTERING, healthCheckPort, purgeDrained } from './target-health.ts';
import { matchesCodes, probeTarget } from './probe.ts';
import type { ProbeResult } from './probe.ts';

/**
 * Real HTTP health checks, one schedule per registered target of every target group some listener
 * or rule forwards to (targets of other groups report `unused` and are not probed, as on AWS).
 * Each probe is independent and runs every `HealthCheckIntervalSeconds` (scaled by the store's
 * `timeScale`) on the store's clock, so tests can make it fast or drive it by hand.
 */
/** The one timer a target has: its next probe, or the end of its deregistration delay. */
interface Schedule {
  readonly kind: 'probe' | 'drain';
  handle: unknown;
  /** The `sync` pass that last wanted it; older ones are cancelled at the end of a pass. */
  seen: number;
}

export class HealthChecker {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #address: (targetId: string) => string;
  /**
   * Target group ARN → target record → its timer. `sync` runs after every mutating call, so it
   * visits only the target groups the call touched (RegionState.touchTargetGroup), and looks
   * targets up by record rather than by a built string: with 10,000 target groups a full pass
   * per call made the emulator spend most of its time here.
   */
  readonly #schedules = new Map<string, Map<TargetRecord, Schedule>>();
  readonly #inflight = new Set<http.ClientRequest>();
  #pass = 0;
  #closed = false;

  constructor(store: Store, options: { log: Logger; instanceAddress: (instanceId: string) => string }) {
    this.#store = store;
    this.#log = options.log;
    this.#address = options.instanceAddress;
  }

  /** Aligns timers with the current state of every target group changed since the last call. */
  sync(): void {
    if (this.#closed) return;
    for (const region of this.#store.regions()) {
      for (const arn of region.takeTouchedTargetGroups()) this.#syncGroup(region, arn);
    }
  }

  #syncGroup(region: RegionState, arn: string): void {
    const tg = region.targetGroups.get(arn);
    const schedules = this.#schedules.get(arn) ?? new Map<TargetRecord, Schedule>();
    const pass = ++this.#pass;
    if (tg !== undefined) {
      const now = this.#store.clock.now();
      if (purgeDrained(tg, now)) this.#store.notify({ kind: 'health', reason: 'DeregistrationComplete' });
      const inUse = region.isTargetGroupInUse(arn);
      for (const [key, target] of tg.targets) {
        if (target.drainUntil !== undefined) {
          this.#ensure(schedules, target, 'drain', pass, target.drainUntil - now, () => {
            this.#schedules.get(arn)?.delete(target);
            if (purgeDrained(tg, this.#store.clock.now()))
              this.#store.notify({ kind: 'health', reason: 'DeregistrationComplete' });
          });
        } else if (inUse) {
          this.#ensure(schedules, target, 'probe', pass, 0, () => this.#tick(tg, key, target));
        } else if (target.health !== REGISTERING) {
          // The group stopped being used: when it is used again, checks start over from `initial`.
          Object.assign(target, { health: REGISTERING, okStreak: 0, failStreak: 0 });
        }
      }
    }
    for (const [target, schedule] of schedules) {
      if (schedule.seen !== pass) {
        this.#store.clock.clearTimeout(schedule.handle);
        schedules.delete(target);
      }
    }
    if (schedules.size === 0) this.#schedules.delete(arn);
    else this.#schedules.set(arn, schedules);
  }

  #ensure(
    schedules: Map<TargetRecord, Schedule>,
    target: TargetRecord,
    kind: Schedule['kind'],
    pass: number,
    delayMs: number,
    fn: () => void,
  ): void {
    const current = schedules.get(target);
    if (current?.kind === kind) {
      current.seen = pass;
      return;
    }
    if (current !== undefined) this.#store.clock.clearTimeout(current.handle);
    schedules.set(target, { kind, seen: pass, handle: this.#store.clock.setTimeout(fn, Math.max(0, delayMs)) });
  }

  #tick(tg: TargetGroupRecord, key: string, target: TargetRecord): void {
    const schedule = this.#schedules.get(tg.arn)?.get(target);
    if (this.#closed || schedule?.kind !== 'probe') return;
    if (tg.targets.get(key) !== target || target.drainUntil !== undefined) {
      this.#schedules.get(tg.arn)?.delete(target);
      return;
    }
    const hc = tg.healthCheck;
    // Schedule the next probe first: response latency must not shift the schedule.
    schedule.handle = this.#store.clock.setTimeout(
      () => this.#tick(tg, key, target),
      this.#store.scaledMs(hc.HealthCheckIntervalSeconds),
    );
    const address = tg.targetType === 'instance' ? this.#address(target.id) : target.id;
    probeTarget(
      {
        protocol: hc.HealthCheckProtocol,
        host: address,
        port: healthCheckPort(tg, target),
        path: hc.HealthCheckPath,
        timeoutMs: this.#store.scaledMs(hc.HealthCheckTimeoutSeconds),
        clock: this.#store.clock,
        matches: (status) => matchesCodes(hc.Matcher.HttpCode ?? '200', status),
      },
      this.#inflight,
      http,
      https,
    )
      .then((result) => this.#apply(tg, key, target, result))
      .catch((e: unknown) => this.#log.warn({ err: e, tg: tg.arn }, 'health probe failed unexpectedly'));
  }

  #apply(tg: TargetGroupRecord, key: string, target: TargetRecord, result: ProbeResult): void {
    if (this.#closed || tg.targets.get(key) !== target || target.drainUntil !== undefined) return;
    const before = target.health;
    if (result.ok) {
      target.okStreak++;
      target.failStreak = 0;
      const threshold = before.State === 'unhealthy' ? tg.healthCheck.HealthyThresholdCount : 1;
      if (target.okStreak >= threshold) target.health = HEALTHY;
    } else {
      target.failStreak++;
      target.okStreak = 0;
      if (target.failStreak >= tg.healthCheck.UnhealthyThresholdCount) {
        target.health = { State: 'unhealthy', Reason: result.reason, Description: result.description };
      } else if (before.State === 'initial') {
        target.health = INITIAL_CHECKING;
      } else if (before.State === 'unhealthy') {
        target.health = { State: 'unhealthy', Reason: result.reason, Description: result.description };
      }
    }
    if (target.health.State !== before.State) {
      this.#log.debug(
        { tg: tg.arn, target: key, from: before.State, to: target.health.State },
        'target health changed',
      );
      this.#store.notify({ kind: 'health', reason: 'HealthCheck' });
    }
  }

  close(): void {
    this.#closed = true;
    this.reset();
  }

  /** Forget every schedule (after a reset). */
  reset(): void {
    for (const schedules of this.#schedules.values()) {
      for (const { handle } of schedules.values()) this.#store.clock.clearTimeout(handle);
    }
    this.#schedules.clear();
    for (const req of this.#inflight) req.destroy();
    this.#inflight.clear();
  }
}
