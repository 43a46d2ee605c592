import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from './call-log.ts';
import type { FaultRule, Faults } from './faults.ts';
import { PROFILES } from './profile.ts';
import type { RateLimiter } from './profile.ts';

/**
 * The control API under `/_portico/` (documented in docs/aws-emulator.md): reset, call log, fault
 * injection and the latency/rate profile. JSON in, JSON out; bad input gets a 400 naming the field.
 */
export interface ControlDeps {
  readonly calls: CallLog;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly reset: () => void;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: body.trim() === '' ? {} : JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

export function handleControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_portico/health':
      return reply(res, 200, { ok: true });
    case 'POST /_portico/reset':
      deps.reset();
      return reply(res, 200, { reset: true });
    case 'GET /_portico/calls': {
      const limit = Number(url.searchParams.get('limit') ?? '1000');
      return reply(res, 200, {
        ...deps.calls.counters(),
        calls: deps.calls.recent(Number.isFinite(limit) ? limit : 1000),
      });
    }
    case 'DELETE /_portico/calls':
      deps.calls.clear();
      return reply(res, 200, { cleared: true });
    case 'GET /_portico/faults':
      return reply(res, 200, { faults: deps.faults.list() });
    case 'DELETE /_portico/faults':
      deps.faults.clear();
      return reply(res, 200, { faults: [] });
    case 'POST /_portico/faults': {
      const parsed = parseJson(body);
      if (!parsed.ok) return reply(res, 400, { error: 'body: not valid JSON' });
      const rules = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      for (const [i, rule] of rules.entries()) {
        if (typeof rule !== 'object' || rule === null)
          return reply(res, 400, { error: `faults[${i}]: must be an object` });
        const problem = deps.faults.set(rule as FaultRule);
        if (problem !== undefined) return reply(res, 400, { error: `faults[${i}].${problem}` });
      }
      return reply(res, 200, { faults: deps.faults.list() });
    }
    case 'GET /_portico/profile':
      return reply(res, 200, deps.limiter.profile);
    case 'PUT /_portico/profile':
    case 'POST /_portico/profile': {
      const parsed = parseJson(body);
      const name =
        parsed.ok && typeof parsed.value === 'object' && parsed.value !== null
          ? (parsed.value as { name?: unknown }).name
          : undefined;
      const profile = typeof name === 'string' && Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
      if (profile === undefined)
        return reply(res, 400, { error: `name: must be one of ${Object.keys(PROFILES).join(', ')}` });
      deps.limiter.setProfile(profile);
      return reply(res, 200, profile);
    }
    default:
      return reply(res, 404, { error: `no control endpoint ${route}` });
  }
}
