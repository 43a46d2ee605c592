/**
 * Route selection cost with 10,000 routes, shaped as src/envoy/render emits them (one catch-all
 * virtual host, rules in priority order, host conditions as `(?i)` :authority regexes, paths as
 * exact / prefix / RE2 globs). Measures `selectVirtualHost` + `select` per request over a mix of
 * early hits, late hits, wildcard-host hits and misses that fall through to the default route.
 *
 *   node bench/data-plane/route-select.ts [rules=10000]
 */
import { compileRouteConfig } from '../../src/proxy/route/table.ts';
import { RequestInput } from '../../src/proxy/server/request-input.ts';

const N = Number(process.argv[2] ?? 10_000);
const routes: unknown[] = [];
const authority = (regex: string) => ({ name: ':authority', string_match: { safe_regex: { regex } } });
for (let i = 0; i < N; i++) {
  const host = `(?i)(?:svc-${i % 500}\\.example\\.com)(:[0-9]+)?`;
  const kind = i % 4;
  const match =
    kind === 0
      ? { path: `/api/v${i}/items`, headers: [authority(host)] }
      : kind === 1
        ? { prefix: `/app${i}/`, headers: [authority(host)] }
        : kind === 2
          ? { safe_regex: { regex: `/img${i}/.*\\.png` }, headers: [authority(host)] }
          : { safe_regex: { regex: `/w${i}/.*` }, headers: [authority(`(?i)(?:.*\\.wild${i % 50}\\.test)(:[0-9]+)?`)] };
  routes.push({ name: `rule-${i + 1}`, match, route: { cluster: `tg-${i % 100}` } });
}
routes.push({ name: 'default', match: { prefix: '/' }, direct_response: { status: 404 } });
const config = compileRouteConfig({ name: 'bench', virtual_hosts: [{ name: 'alb', domains: ['*'], routes }] });

const requests: RequestInput[] = [];
const mk = (p: string, h: string) => new RequestInput(p, h, 'GET', 'http', '127.0.0.1', { host: h }, undefined);
for (let k = 0; k < 64; k++) {
  const i = Math.floor((k / 64) * N);
  requests.push(mk(`/api/v${i - (i % 4)}/items`, `svc-${(i - (i % 4)) % 500}.example.com`));
  requests.push(mk(`/app${i - (i % 4) + 1}/x/y`, `SVC-${(i - (i % 4) + 1) % 500}.example.com:8080`));
  requests.push(mk(`/w${i - (i % 4) + 3}/a/b`, `a.b.wild${(i - (i % 4) + 3) % 50}.test`));
  requests.push(mk(`/nothing/here`, `svc-${k}.example.com`));
}

function run(iterations: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let n = 0; n < iterations; n++) {
    const r = requests[n % requests.length];
    if (r === undefined) continue;
    const route = config.selectVirtualHost(r.authority)?.select(r);
    sink += route?.name.length ?? 0;
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return ns / iterations;
}

run(200_000); // warm-up: JIT and regex compilation
const samples = Array.from({ length: 7 }, () => run(500_000)).sort((a, b) => a - b);
const check = requests.slice(0, 4).map((r) => config.selectVirtualHost(r.authority)?.select(r)?.name);
console.log(
  JSON.stringify({
    rules: N,
    nsPerSelect: { min: +samples[0]!.toFixed(0), median: +samples[3]!.toFixed(0), max: +samples[6]!.toFixed(0) },
    sample: check,
  }),
);
