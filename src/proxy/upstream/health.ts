import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { HealthCheckConfig } from '../config/cluster.ts';
import type { Endpoint } from './endpoint.ts';

/**
 * Active health checking, one timer per host. Each probe opens a fresh connection and closes it
 * (as ALB does). A host's first probe decides its state (Envoy's rule for new hosts); afterwards it
 * flips after `unhealthy_threshold` consecutive failures or `healthy_threshold` consecutive passes.
 */
export class HealthChecker {
  private readonly config: HealthCheckConfig;
  private readonly tls: boolean;
  private readonly timers = new Map<Endpoint, NodeJS.Timeout>();
  private readonly streaks = new Map<Endpoint, number>();
  private readonly onChange: () => void;
  private stopped = false;

  constructor(config: HealthCheckConfig, tls: boolean, onChange: () => void) {
    this.config = config;
    this.tls = tls;
    this.onChange = onChange;
  }

  /** Starts checking hosts not yet checked and stops checking hosts no longer present. */
  sync(endpoints: readonly Endpoint[]): void {
    const live = new Set(endpoints);
    for (const [ep, timer] of this.timers) {
      if (!live.has(ep)) {
        clearInterval(timer);
        this.timers.delete(ep);
        this.streaks.delete(ep);
      }
    }
    for (const ep of endpoints) {
      if (this.timers.has(ep)) continue;
      const timer = setInterval(() => this.probe(ep), this.config.intervalMs);
      timer.unref();
      this.timers.set(ep, timer);
      this.probe(ep);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearInterval(t);
    this.timers.clear();
  }

  private probe(ep: Endpoint): void {
    const port = ep.healthCheckPort || ep.port;
    const done = (ok: boolean): void => {
      if (this.stopped || !this.timers.has(ep)) return;
      this.record(ep, ok);
    };
    if (this.config.http === undefined) {
      const sock = net.connect({ host: ep.address, port, timeout: this.config.timeoutMs });
      sock.once('connect', () => {
        sock.destroy();
        done(true);
      });
      sock.once('timeout', () => sock.destroy(new Error('timeout')));
      sock.once('error', () => done(false));
      return;
    }
    const h = this.config.http;
    const mod = this.tls ? https : http;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      done(ok);
    };
    const req = mod.request({
      host: ep.address,
      port,
      method: h.method === 'METHOD_UNSPECIFIED' ? 'GET' : h.method,
      path: h.path,
      agent: false,
      rejectUnauthorized: false,
      headers: { host: h.host ?? `${ep.address}:${port}`, 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      timeout: this.config.timeoutMs,
    });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      finish(h.expected.some(([s, e]) => status >= s && status < e));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => finish(false));
    req.end();
  }

  private record(ep: Endpoint, ok: boolean): void {
    const before = ep.checkedHealthy;
    if (before === undefined) {
      ep.checkedHealthy = ok;
      this.streaks.set(ep, 0);
    } else if (ok === before) {
      this.streaks.set(ep, 0);
    } else {
      const streak = (this.streaks.get(ep) ?? 0) + 1;
      const needed = ok ? this.config.healthyThreshold : this.config.unhealthyThreshold;
      if (streak >= needed) {
        ep.checkedHealthy = ok;
        this.streaks.set(ep, 0);
      } else this.streaks.set(ep, streak);
    }
    if (ep.checkedHealthy !== before) this.onChange();
  }
}
