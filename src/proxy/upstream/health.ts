import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
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
    const useTls = this.config.tls ?? this.tls;
    if (h.http2) {
      this.probeHttp2(ep, port, useTls, done);
      return;
    }
    const mod = useTls ? https : http;
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

  /** HTTP/2 probe (gRPC groups): status in the expected ranges, and `grpc-status` in the gRPC codes when given. */
  private probeHttp2(ep: Endpoint, port: number, useTls: boolean, done: (ok: boolean) => void): void {
    const h = this.config.http;
    if (h === undefined) return;
    let settled = false;
    const session = http2.connect(
      `${useTls ? 'https' : 'http'}://${ep.address.includes(':') ? `[${ep.address}]` : ep.address}:${port}`,
      {
        rejectUnauthorized: false,
      },
    );
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), this.config.timeoutMs);
    session.on('error', () => finish(false));
    const grpc = h.grpcCodes;
    const stream = session.request({
      ':method': grpc !== undefined ? 'POST' : h.method === 'METHOD_UNSPECIFIED' ? 'GET' : h.method,
      ':path': h.path,
      ...(grpc !== undefined ? { 'content-type': 'application/grpc', te: 'trailers' } : {}),
      'user-agent': 'ELB-HealthChecker/2.0',
    });
    let status = 0;
    let grpcStatus: number | undefined;
    stream.on('response', (headers) => {
      status = Number(headers[':status'] ?? 0);
      if (headers['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
    });
    stream.on('trailers', (t) => {
      if (t['grpc-status'] !== undefined) grpcStatus = Number(t['grpc-status']);
    });
    stream.on('error', () => finish(false));
    stream.on('close', () => {
      const httpOk = h.expected.some(([s, e]) => status >= s && status < e);
      finish(httpOk && (grpc === undefined || (grpcStatus !== undefined && grpc.includes(grpcStatus))));
    });
    stream.resume();
    if (grpc !== undefined) stream.end(Buffer.alloc(5));
    else stream.end();
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
