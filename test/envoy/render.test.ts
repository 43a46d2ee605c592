import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/model/canonical.ts';
import { renderStack } from '../../src/envoy/render.ts';
import type { RenderOptions } from '../../src/envoy/render-options.ts';
import type { JsonObject } from '../../src/envoy/json.ts';
import { fixed, forward, listener, path, rule, stack, targetGroup } from '../support/stack.ts';
import { arbStack } from './support/arbitrary.ts';
import { certificates, everythingStack } from './support/fixtures.ts';
import { decodeStrict, validateResources } from './support/validate.ts';

const options: RenderOptions = {
  certificates,
  instanceAddresses: { 'i-0abc': '127.0.0.9' },
  address: '127.0.1.1',
  portOffset: 8000,
};

function routesOf(config: JsonObject | undefined): JsonObject[] {
  return ((config?.['virtual_hosts'] as JsonObject[] | undefined)?.[0]?.['routes'] as JsonObject[] | undefined) ?? [];
}

test('every resource of a stack using every condition and action passes strict proto validation, in both modes', () => {
  for (const mode of ['ads', 'static'] as const) {
    const { resources, diagnostics } = renderStack(everythingStack(), { ...options, mode });
    assert.deepEqual(diagnostics, []);
    assert.equal(resources.listeners.length, 2);
    assert.equal(resources.clusters.length, 3);
    validateResources(resources);
    if (mode === 'ads') {
      assert.equal(resources.routes.length, 5, 'two main route configs and three source-ip regions');
      assert.equal(resources.endpoints.length, 3);
      assert.equal(resources.secrets.length, 2);
    } else {
      assert.deepEqual([resources.routes, resources.endpoints, resources.secrets], [[], [], []]);
    }
  }
});

test('the validator is not vacuous: unknown fields, oneof conflicts, bad durations, unknown @type and bad regexes fail', () => {
  const { resources } = renderStack(everythingStack(), options);
  const cluster = resources.clusters[0] ?? {};
  assert.throws(() => decodeStrict('envoy.config.cluster.v3.Cluster', { ...cluster, lb_polcy: 'RANDOM' }), /unknown/);
  assert.throws(
    () => decodeStrict('envoy.config.cluster.v3.Cluster', { ...cluster, connect_timeout: '10' }),
    /Duration/,
  );
  assert.throws(
    () => decodeStrict('envoy.config.cluster.v3.Cluster', { ...cluster, cluster_type: { name: 'custom' } }),
    /oneof set multiple/,
  );
  assert.throws(
    () =>
      decodeStrict('envoy.config.cluster.v3.Cluster', {
        ...cluster,
        transport_socket: { name: 'x', typed_config: { '@type': 'type.googleapis.com/no.Such' } },
      }),
    /registry/,
  );
  assert.throws(
    () =>
      validateResources({
        ...resources,
        routes: [
          {
            name: 'r',
            virtual_hosts: [
              {
                name: 'v',
                domains: ['*'],
                routes: [{ match: { safe_regex: { regex: '(?=x)' } }, direct_response: { status: 200 } }],
              },
            ],
          },
        ],
      }),
    /RE2 rejects/,
  );
});

test('rendering is deterministic: twice gives identical bytes, whatever the input order of target groups', () => {
  const s = everythingStack();
  const a = canonicalJson(renderStack(s, options));
  const b = canonicalJson(renderStack({ ...s, targetGroups: [...s.targetGroups].reverse() }, options));
  assert.equal(a, b);
  assert.equal(JSON.stringify(renderStack(s, options)), JSON.stringify(renderStack(s, options)));
});

test('property: random valid stacks render deterministically and every resource passes strict validation', () => {
  fc.assert(
    fc.property(arbStack, fc.constantFrom<'ads' | 'static'>('ads', 'static'), (s, mode) => {
      const first = renderStack(s, { mode });
      assert.equal(JSON.stringify(first), JSON.stringify(renderStack(s, { mode })));
      assert.deepEqual(first.diagnostics, []);
      validateResources(first.resources);
    }),
    { numRuns: 60 },
  );
});

test('listeners bind the given address at port + offset and carry the ALB facts in portico.alb metadata', () => {
  const { resources } = renderStack(everythingStack(), options);
  const http = resources.listeners.find((l) => l['name'] === 'p-default-everything-0123456789/80') ?? {};
  assert.deepEqual(http['address'], { socket_address: { address: '127.0.1.1', port_value: 8080 } });
  assert.deepEqual((http['metadata'] as JsonObject)['filter_metadata'], {
    'portico.alb': {
      listener_port: 80,
      protocol: 'HTTP',
      load_balancer: 'p-default-everything-0123456789',
      stack: 'default/everything',
      preserve_host_header: false,
      xff_header_processing_mode: 'remove',
      xff_client_port: false,
    },
  });
  const hcm = ((http['filter_chains'] as JsonObject[])[0]?.['filters'] as JsonObject[])[0]?.[
    'typed_config'
  ] as JsonObject;
  assert.equal(hcm['codec_type'], 'HTTP1');
  assert.equal(hcm['server_name'], 'awselb/2.0');
  assert.equal(hcm['stream_idle_timeout'], '120s');
  assert.equal(hcm['skip_xff_append'], true);
});

test('HTTPS: the default certificate serves the SNI-less chain, others their own names, via SDS', () => {
  const { resources } = renderStack(everythingStack(), options);
  const https = resources.listeners.find((l) => l['name'] === 'p-default-everything-0123456789/443') ?? {};
  const chains = https['filter_chains'] as JsonObject[];
  assert.deepEqual(
    chains.map((c) => [c['name'], (c['filter_chain_match'] as JsonObject | undefined)?.['server_names']]),
    [
      ['default', undefined],
      ['sni:acm:arn:aws:acm:us-east-1:123456789012:certificate/org', ['*.example.org']],
    ],
  );
  const tls = ((chains[0]?.['transport_socket'] as JsonObject)['typed_config'] as JsonObject)[
    'common_tls_context'
  ] as JsonObject;
  assert.deepEqual(tls['alpn_protocols'], ['h2', 'http/1.1']);
  assert.deepEqual(tls['tls_params'], {
    tls_minimum_protocol_version: 'TLSv1_2',
    tls_maximum_protocol_version: 'TLSv1_3',
  });
  const sds = (tls['tls_certificate_sds_secret_configs'] as JsonObject[])[0] ?? {};
  assert.match(String(sds['name']), /^secret:default\/www-tls@[0-9a-f]{10}$/);
  assert.ok(resources.secrets.some((s) => s['name'] === sds['name']));
});

test('actions: weighted forward, all-zero weights, stickiness, redirects, fixed responses and authenticate', () => {
  const { resources } = renderStack(everythingStack(), options);
  const routes = routesOf(resources.routes.find((r) => r['name'] === 'p-default-everything-0123456789/80'));
  const byName = new Map(routes.map((r) => [String(r['name']), r]));
  assert.deepEqual(byName.get('rule-1')?.['route'], {
    weighted_clusters: {
      clusters: [
        { name: 'p-default-api-80-0123456789', weight: 1 },
        { name: 'p-default-canary-80-0123456789', weight: 1 },
      ],
    },
    timeout: '0s',
  });
  assert.deepEqual(byName.get('rule-12')?.['direct_response'], { status: 503 });
  assert.deepEqual((byName.get('rule-13')?.['metadata'] as JsonObject)['filter_metadata'], {
    'portico.alb': { target_group_stickiness: { enabled: true, duration_seconds: 300 } },
  });
  assert.deepEqual(byName.get('rule-8')?.['redirect'], {
    regex_rewrite: { pattern: { regex: '^/?(.*)$' }, substitution: '/new/\\1' },
    response_code: 'MOVED_PERMANENTLY',
  });
  assert.equal(byName.get('rule-8')?.['metadata'], undefined);
  assert.deepEqual(byName.get('rule-9')?.['redirect'], {
    scheme_redirect: 'https',
    port_redirect: 443,
    response_code: 'FOUND',
  });
  assert.deepEqual((byName.get('rule-10')?.['metadata'] as JsonObject)['filter_metadata'], {
    'portico.alb': {
      redirect: {
        protocol: '#{protocol}',
        port: '#{port}',
        host: 'www.#{host}',
        path: '/#{path}',
        query: 'from=#{path}',
      },
    },
  });
  assert.deepEqual(byName.get('rule-2')?.['direct_response'], { status: 200, body: { inline_string: 'ok' } });
  assert.equal((byName.get('rule-11')?.['direct_response'] as JsonObject)['status'], 501);
  assert.deepEqual(routes.at(-1), {
    name: 'default',
    match: { prefix: '/' },
    direct_response: { status: 404, body: { inline_string: 'not found' } },
    response_headers_to_add: [
      { header: { key: 'content-type', value: 'text/plain' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
  });
});

test('clusters: lb policy, health check matcher and port, HTTP/2, upstream TLS, stickiness metadata, endpoints', () => {
  const { resources } = renderStack(everythingStack(), options);
  const api = resources.clusters.find((c) => c['name'] === 'p-default-api-80-0123456789') ?? {};
  assert.equal(api['lb_policy'], 'LEAST_REQUEST');
  assert.deepEqual((api['health_checks'] as JsonObject[])[0]?.['http_health_check'], {
    path: '/healthz',
    expected_statuses: [
      { start: 200, end: 300 },
      { start: 301, end: 302 },
    ],
  });
  assert.deepEqual((api['metadata'] as JsonObject)['filter_metadata'], {
    'portico.alb': { target_group: 'api', stickiness: { enabled: true, type: 'lb_cookie', duration_seconds: 600 } },
  });
  const cla = resources.endpoints.find((e) => e['cluster_name'] === 'p-default-api-80-0123456789') ?? {};
  assert.deepEqual(
    ((cla['endpoints'] as JsonObject[])[0]?.['lb_endpoints'] as JsonObject[]).map((e) => e['endpoint']),
    ['127.0.0.1', '127.0.0.2'].map((address) => ({
      address: { socket_address: { address, port_value: 8080 } },
      health_check_config: { port_value: 9000 },
    })),
  );
  const canary = resources.clusters.find((c) => c['name'] === 'p-default-canary-80-0123456789') ?? {};
  assert.equal((canary['transport_socket'] as JsonObject)['name'], 'envoy.transport_sockets.tls');
  assert.deepEqual(canary['round_robin_lb_config'], { slow_start_config: { slow_start_window: '30s' } });
  const grpc = resources.clusters.find((c) => c['name'] === 'p-default-grpc-50051-0123456789') ?? {};
  const opts = (grpc['typed_extension_protocol_options'] as JsonObject)[
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
  ] as JsonObject;
  assert.deepEqual(opts['explicit_http_config'], { http2_protocol_options: {} });
  const claCanary = resources.endpoints.find((e) => e['cluster_name'] === 'p-default-canary-80-0123456789') ?? {};
  assert.match(JSON.stringify(claCanary), /127\.0\.0\.9/);
});

test('bad input becomes diagnostics naming the field, and the rest still renders', () => {
  const s = stack({
    listeners: [
      listener({
        port: 80,
        rules: [rule(1, [path('/x')], [forward('missing')]), rule(2, [path('/y')], [fixed('99')])],
      }),
      listener({ port: 443, protocol: 'HTTPS', certificates: [{ kind: 'acm', arn: 'arn:unknown' }] }),
    ],
    targetGroups: [targetGroup('tg', { targetType: 'instance', targets: [{ id: 'i-nowhere', port: 30000 }] })],
  });
  const { resources, diagnostics } = renderStack(s);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.field]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ['CertificateUnavailable', 'listeners[1].certificates[0]'],
      ['InvalidAction', 'listeners[0].rules[1].actions[0].statusCode'],
      ['TargetAddressUnknown', 'targetGroups[0].targets[0]'],
      ['UnknownTargetGroup', 'listeners[0].rules[0].actions[0].targetGroups[0]'],
    ],
  );
  assert.deepEqual(
    resources.listeners.map((l) => l['name']),
    ['p-default-test-0123456789/80'],
  );
  const routes = routesOf(resources.routes[0]);
  assert.deepEqual(routes[0]?.['direct_response'], { status: 503 });
  validateResources(resources);
});
