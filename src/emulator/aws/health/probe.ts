import type http from 'node:http';
import type https from 'node:https';
import type { Clock } from '../state/ids.ts';

/** One health-check request and its verdict, with AWS's unhealthy reason codes. */
export type ProbeResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly description: string };

export interface ProbeSpec {
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly matches: (status: number) => boolean;
}

/** `200`, `200,202`, `200-299`. */
export function matchesCodes(codes: string, status: number): boolean {
  return codes.split(',').some((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return lo !== undefined && status >= lo && status <= (hi ?? lo);
  });
}

export function probeTarget(
  spec: ProbeSpec,
  inflight: Set<http.ClientRequest>,
  httpModule: typeof http,
  httpsModule: typeof https,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      spec.clock.clearTimeout(timer);
      inflight.delete(req);
      req.destroy();
      resolve(result);
    };
    const options = {
      host: spec.host,
      port: spec.port,
      path: spec.path,
      method: 'GET',
      agent: false,
      // ALB health checks close the connection after each probe.
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
    } as const;
    const onResponse = (res: http.IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      finish(
        spec.matches(status)
          ? { ok: true }
          : {
              ok: false,
              reason: 'Target.ResponseCodeMismatch',
              description: `Health checks failed with these codes: [${status}]`,
            },
      );
    };
    const req =
      spec.protocol === 'HTTPS'
        ? httpsModule.request({ ...options, rejectUnauthorized: false }, onResponse)
        : httpModule.request(options, onResponse);
    inflight.add(req);
    req.on('error', () =>
      finish({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }),
    );
    const timer = spec.clock.setTimeout(
      () => finish({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' }),
      spec.timeoutMs,
    );
    req.end();
  });
}
