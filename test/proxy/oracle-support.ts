/**
 * Shared by the acceptance tests: one local upstream per target group that answers with the group's
 * id, the routing oracle's expected outcome for a request, and one HTTP request as a real client.
 */
import http from 'node:http';
import { route } from '../../src/model/route.ts';
import type { RouteRequest } from '../../src/model/match.ts';
import type { Action, Stack } from '../../src/model/stack.ts';
import { startEcho } from './support.ts';
import type { Echo } from './support.ts';

export const upstreams = new Map<string, Echo>();

export async function upstreamFor(tgId: string): Promise<Echo> {
  let echo = upstreams.get(tgId);
  if (echo === undefined) {
    echo = await startEcho(tgId, (_req, res) => {
      res.writeHead(200, { 'x-echo-name': tgId, 'content-type': 'text/plain' });
      res.end(tgId);
    });
    upstreams.set(tgId, echo);
  }
  return echo;
}

/** Points every target group at a local upstream that answers with the group's id. */
export async function wire(s: Stack): Promise<Stack> {
  const targetGroups = [];
  for (const tg of s.targetGroups) {
    const echo = await upstreamFor(tg.id);
    targetGroups.push({
      ...tg,
      targetType: 'ip' as const,
      targets: [{ id: '127.0.0.1', port: echo.port, availabilityZone: 'all' }],
    });
  }
  return { ...s, targetGroups };
}

export type Outcome = { kind: 'tg'; ids: string[] } | { kind: 'status'; status: number };

export function expected(s: Stack, port: number, req: RouteRequest): Outcome {
  const d = route(s, port, req);
  if (d.kind === 'no-listener') return { kind: 'status', status: 0 };
  const terminal = d.actions.find(
    (a: Action) => a.type === 'forward' || a.type === 'fixed-response' || a.type === 'redirect',
  );
  if (d.actions.some((a) => a.type.startsWith('authenticate'))) return { kind: 'status', status: 501 };
  if (terminal === undefined) return { kind: 'status', status: 503 };
  if (terminal.type === 'fixed-response') return { kind: 'status', status: Number(terminal.statusCode) };
  if (terminal.type === 'redirect') return { kind: 'status', status: terminal.statusCode === 'HTTP_301' ? 301 : 302 };
  // One target group: its weight is irrelevant (docs/envoy-mapping.md renders it as a plain cluster).
  const ids =
    terminal.targetGroups.length === 1
      ? terminal.targetGroups.map((t) => t.targetGroupId)
      : terminal.targetGroups.filter((t) => t.weight > 0).map((t) => t.targetGroupId);
  return ids.length === 0 ? { kind: 'status', status: 503 } : { kind: 'tg', ids };
}

export function send(port: number, req: RouteRequest): Promise<{ status: number; tg?: string }> {
  const headers: Record<string, string> = {};
  if (req.host !== undefined) headers['host'] = req.host;
  for (const [k, vs] of Object.entries(req.headers ?? {})) if (vs[0] !== undefined) headers[k] = vs[0];
  const target = req.query === undefined ? req.path : `${req.path}?${req.query}`;
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: target, headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => {
          const tg = res.headers['x-echo-name'];
          resolve({ status: res.statusCode ?? 0, ...(typeof tg === 'string' ? { tg } : {}) });
        });
      },
    );
    r.on('error', reject);
    r.end();
  });
}

/** What the oracle must be asked: the request exactly as the proxy receives it over loopback. */
export function asReceived(req: RouteRequest, port: number): RouteRequest {
  const headers: Record<string, string[]> = {};
  for (const [k, vs] of Object.entries(req.headers ?? {})) headers[k] = vs.slice(0, 1).map((v) => v.trim());
  return { ...req, host: req.host ?? `127.0.0.1:${port}`, headers, sourceIp: '127.0.0.1' };
}
