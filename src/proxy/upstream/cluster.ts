import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { ClusterConfig, EndpointConfig } from '../config/cluster.ts';
import { Balancer } from './balancer.ts';
import { Endpoint, endpointKey } from './endpoint.ts';
import { HealthChecker } from './health.ts';
import { H1Pool } from './h1-pool.ts';

/**
 * A cluster at run time: its hosts, their health, host selection and pooled connections (a
 * keep-alive agent for HTTP/1.1, one multiplexed session per host for HTTP/2). The candidate list
 * is rebuilt only when membership or health changes, never per request.
 */
export class UpstreamCluster {
  readonly config: ClusterConfig;
  private endpoints: Endpoint[] = [];
  private byKey = new Map<string, Endpoint>();
  private candidates: Endpoint[] = [];
  private readonly balancer: Balancer;
  private readonly checker: HealthChecker | undefined;
  readonly agent: http.Agent;
  /** Lean keep-alive pool for bodiless requests to plaintext HTTP/1.1 targets. */
  readonly h1: H1Pool;
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  /** Whether endpoints have been assigned (EDS clusters wait for their ClusterLoadAssignment). */
  ready: boolean;

  constructor(config: ClusterConfig) {
    this.config = config;
    this.balancer = new Balancer(config.lbPolicy);
    const agentOptions = {
      keepAlive: true,
      maxSockets: Infinity,
      maxFreeSockets: 1024,
      scheduling: 'lifo' as const,
      ...(config.idleTimeoutMs > 0 ? { timeout: config.idleTimeoutMs } : {}),
    };
    this.agent =
      config.tls !== undefined
        ? new https.Agent({
            ...agentOptions,
            rejectUnauthorized: false,
            ...(config.tls.sni !== undefined ? { servername: config.tls.sni } : {}),
          })
        : new http.Agent(agentOptions);
    this.h1 = new H1Pool(config.connectTimeoutMs, config.idleTimeoutMs);
    this.checker =
      config.healthCheck === undefined
        ? undefined
        : new HealthChecker(config.healthCheck, config.tls !== undefined, () => this.refresh());
    this.ready = config.endpoints !== undefined;
    if (config.endpoints !== undefined) this.setEndpoints(config.endpoints);
  }

  /** Replaces the host set, keeping the state (health, in-flight counts) of hosts that stay. */
  setEndpoints(list: readonly EndpointConfig[]): void {
    const next = new Map<string, Endpoint>();
    for (const c of list) {
      const key = endpointKey(c.address, c.port);
      const existing = this.byKey.get(key) ?? next.get(key);
      if (existing !== undefined) existing.update(c);
      next.set(key, existing ?? new Endpoint(c));
    }
    for (const [key, session] of this.sessions) {
      if (!next.has(key)) {
        session.close();
        this.sessions.delete(key);
      }
    }
    this.byKey = next;
    this.endpoints = [...next.values()];
    this.ready = true;
    this.checker?.sync(this.endpoints);
    this.refresh();
  }

  /** Recomputes the candidate list: healthy hosts, or all non-draining hosts in panic / fail-open. */
  refresh(): void {
    const checked = this.checker !== undefined;
    const healthy = this.endpoints.filter((e) => e.healthy(checked));
    const usable = this.endpoints.filter((e) => !e.draining);
    const threshold = this.config.panicThresholdPercent;
    let panic: boolean;
    if (threshold === undefined) panic = healthy.length === 0;
    else panic = threshold > 0 && usable.length > 0 && (healthy.length * 100) / usable.length < threshold;
    this.candidates = panic ? usable : healthy;
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** The host for a request; a sticky key names a host to reuse while it is still a candidate. */
  pick(stickyKey?: string): { endpoint: Endpoint; stuck: boolean } | undefined {
    if (stickyKey !== undefined) {
      const ep = this.byKey.get(stickyKey);
      if (ep !== undefined && this.candidates.includes(ep)) return { endpoint: ep, stuck: true };
    }
    const endpoint = this.balancer.pick(this.candidates);
    return endpoint === undefined ? undefined : { endpoint, stuck: false };
  }

  /** A live HTTP/2 session to a host, created on first use and dropped when it closes. */
  session(ep: Endpoint): http2.ClientHttp2Session {
    const existing = this.sessions.get(ep.key);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const tls = this.config.tls;
    const authority = `${tls !== undefined ? 'https' : 'http'}://${ep.key}`;
    const session = http2.connect(authority, {
      ...(tls !== undefined
        ? {
            rejectUnauthorized: false,
            ALPNProtocols: ['h2'],
            ...(tls.sni !== undefined ? { servername: tls.sni } : {}),
          }
        : {}),
    });
    const drop = (): void => {
      if (this.sessions.get(ep.key) === session) this.sessions.delete(ep.key);
    };
    session.on('close', drop);
    session.on('goaway', drop);
    session.on('error', drop);
    if (this.config.idleTimeoutMs > 0) session.setTimeout(this.config.idleTimeoutMs, () => session.close());
    session.unref();
    this.sessions.set(ep.key, session);
    return session;
  }

  /** Stops health checks and closes idle connections; in-flight requests finish on their sockets. */
  close(): void {
    this.checker?.stop();
    // session.close() lets open streams finish; agent.destroy() would cut in-flight requests, so only
    // idle sockets are destroyed now and busy ones when they are released.
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    this.h1.close();
    for (const list of Object.values(this.agent.freeSockets)) for (const sock of list ?? []) sock.destroy();
    this.agent.on('free', (sock: Socket) => sock.destroy());
  }
}
