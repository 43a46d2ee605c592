import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { TargetGroupRecord, TargetRecord } from '../state/records.ts';
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
export class HealthChecker {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #address: (targetId: string) => string;
  /** Probe or drain timers by `region|tgArn|targetKey|kind`. */
  readonly #timers = new Map<string, unknown>();
  readonly #inflight = new Set<http.ClientRequest>();
  #closed = false;

  constructor(store: Store, options: { log: Logger; instanceAddress: (instanceId: string) => string }) {
    this.#store = store;
    this.#log = options.log;
    this.#address = options.instanceAddress;
  }

  /** Aligns timers with the current state; called after every change. */
  sync(): void {
    if (this.#closed) return;
    const wanted = new Set<string>();
    const now = this.#store.clock.now();
    for (const region of this.#store.regions()) {
      for (const tg of region.targetGroups.values()) {
        if (purgeDrained(tg, now)) this.#store.notify({ kind: 'health', reason: 'DeregistrationComplete' });
        const inUse = region.isTargetGroupInUse(tg.arn);
        for (const [key, target] of tg.targets) {
          const id = `${region.name}|${tg.arn}|${key}`;
          if (target.drainUntil !== undefined) {
            wanted.add(`${id}|drain`);
            this.#ensure(`${id}|drain`, target.drainUntil - now, () => {
              this.#timers.delete(`${id}|drain`);
              if (purgeDrained(tg, this.#store.clock.now()))
                this.#store.notify({ kind: 'health', reason: 'DeregistrationComplete' });
            });
          } else if (inUse) {
            wanted.add(`${id}|probe`);
            this.#ensure(`${id}|probe`, 0, () => this.#tick(`${id}|probe`, tg, key, target));
          } else if (target.health !== REGISTERING) {
            // The group stopped being used: when it is used again, checks start over from `initial`.
            Object.assign(target, { health: REGISTERING, okStreak: 0, failStreak: 0 });
          }
        }
      }
    }
    for (const [id, handle] of this.#timers) {
      if (!wanted.has(id)) {
        this.#store.clock.clearTimeout(handle);
        this.#timers.delete(id);
      }
    }
  }

  #ensure(id: string, delayMs: number, fn: () => void): void {
    if (this.#timers.has(id)) return;
    this.#timers.set(id, this.#store.clock.setTimeout(fn, Math.max(0, delayMs)));
  }

  #tick(id: string, tg: TargetGroupRecord, key: string, target: TargetRecord): void {
    this.#timers.delete(id);
    if (this.#closed || tg.targets.get(key) !== target || target.drainUntil !== undefined) return;
    const hc = tg.healthCheck;
    // Schedule the next probe first: response latency must not shift the schedule.
    this.#timers.set(
      id,
      this.#store.clock.setTimeout(
        () => this.#tick(id, tg, key, target),
        this.#store.scaledMs(hc.HealthCheckIntervalSeconds),
      ),
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
    for (const handle of this.#timers.values()) this.#store.clock.clearTimeout(handle);
    this.#timers.clear();
    for (const req of this.#inflight) req.destroy();
    this.#inflight.clear();
  }

  /** Forget every schedule (after a reset). */
  reset(): void {
    for (const handle of this.#timers.values()) this.#store.clock.clearTimeout(handle);
    this.#timers.clear();
    for (const req of this.#inflight) req.destroy();
    this.#inflight.clear();
  }
}
