/**
 * Properties of translation over open-ended input (fast-check, fixed seeds so runs are repeatable):
 * it never throws, priorities are unique per listener, the output does not depend on input order
 * and is byte-identical when repeated.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { snapshotFromObjects } from '../../src/k8s/convert.ts';
import { translateAll } from '../../src/ingress/translate.ts';
import { canonicalJson } from '../../src/model/canonical.ts';
import { PORTICO_CLASS, service } from './fixtures.ts';

const P = 'alb.ingress.kubernetes.io/';
const services = ['a', 'b', 'c'].flatMap((s, i) => service(s, i + 1));

const annotationValue = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'true',
    'false',
    '0',
    '-1',
    '70000',
    '[{"HTTP":80}]',
    '[{"HTTPS":443}]',
    '{"type":"fixed-response"}',
    'k=v,x',
    'ip',
    'instance',
    '{',
  ),
);
const annotationKey = fc.constantFrom(
  'group.name',
  'group.order',
  'scheme',
  'listen-ports',
  'ssl-redirect',
  'target-type',
  'healthcheck-interval-seconds',
  'tags',
  'load-balancer-attributes',
  'actions.a',
  'conditions.a',
  'transforms.b',
  'auth-type',
  'use-regex-path-match',
  'success-codes',
  'certificate-arn',
);
const pathArb = fc.record(
  {
    path: fc.oneof(fc.constantFrom('/', '/a', '/a/', '/a/b', '/*', '/a*', '', 'x', '/^a$'), fc.string()),
    pathType: fc.oneof(fc.constantFrom('Exact', 'Prefix', 'ImplementationSpecific'), fc.anything()),
    backend: fc.oneof(
      fc.record({
        service: fc.record({
          name: fc.constantFrom('a', 'b', 'c', 'missing'),
          port: fc.oneof(
            fc.record({ number: fc.constantFrom(80, 81, 0) }),
            fc.record({ name: fc.constantFrom('http', 'use-annotation') }),
          ),
        }),
      }),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);
const ingressArb = fc.record({
  kind: fc.constant('Ingress'),
  metadata: fc.record({
    name: fc.constantFrom('i1', 'i2', 'i3', 'i4'),
    namespace: fc.constantFrom('default', 'other'),
    annotations: fc.dictionary(
      annotationKey.map((k) => P + k),
      annotationValue,
      { maxKeys: 4 },
    ),
  }),
  spec: fc.oneof(
    fc.record(
      {
        rules: fc.array(
          fc.record(
            {
              host: fc.option(fc.constantFrom('a.example.com', '*.example.com', 'b.example.com', 'bad host', '')),
              http: fc.record({ paths: fc.array(pathArb, { maxLength: 4 }) }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        tls: fc.array(
          fc.record({
            hosts: fc.array(fc.constantFrom('a.example.com', 'x.y.z')),
            secretName: fc.option(fc.constantFrom('missing', 'tls')),
          }),
          { maxLength: 2 },
        ),
        defaultBackend: fc.option(
          fc.record({
            service: fc.record({ name: fc.constantFrom('a', 'b'), port: fc.record({ number: fc.constant(80) }) }),
          }),
        ),
        ingressClassName: fc.option(fc.constantFrom('portico', 'nginx', 'missing')),
      },
      { requiredKeys: [] },
    ),
    fc.anything(),
  ),
});

function translateRaw(objects: readonly unknown[]): string {
  const { snapshot } = snapshotFromObjects(objects);
  return canonicalJson(
    translateAll(snapshot, { certificates: [] }, { clusterName: 'p', vpcCidrs: ['10.0.0.0/8'], now: 0 }),
  );
}

describe('translation properties', () => {
  it('never throws, keeps priorities unique per listener, and is deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ingressArb, fc.anything()), { maxLength: 5 }), (raws) => {
        const objects = [PORTICO_CLASS, ...services, ...raws];
        const out = translateRaw(objects);
        assert.equal(translateRaw(objects), out);
        const parsed = JSON.parse(out) as {
          results: Array<{ stack?: { listeners: Array<{ rules: Array<{ priority: number }> }> } }>;
        };
        for (const r of parsed.results) {
          for (const l of r.stack?.listeners ?? []) {
            const ps = l.rules.map((x) => x.priority);
            assert.equal(new Set(ps).size, ps.length);
            assert.deepEqual(
              ps,
              ps.map((_, i) => i + 1),
            );
          }
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('does not depend on the order objects arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(ingressArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        (raws, seed) => {
          // Duplicate names would make "which object wins" order-dependent, as in a real cluster they cannot exist.
          const unique = [...new Map(raws.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r])).values()];
          const shuffled = [...unique].sort(
            (a, b) => ((canonicalJson(a).length * 31 + seed) % 7) - ((canonicalJson(b).length * 31 + seed) % 7),
          );
          assert.equal(
            translateRaw([PORTICO_CLASS, ...services, ...unique]),
            translateRaw([...shuffled.reverse(), ...services, PORTICO_CLASS]),
          );
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
