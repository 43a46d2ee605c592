import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  convertEndpointSlice,
  convertIngress,
  convertIngressClass,
  convertIngressClassParams,
  convertNode,
  convertSecret,
  convertService,
  snapshotFromObjects,
} from '../../src/k8s/convert.ts';
import { snapshotFromManifests } from '../../src/k8s/manifests.ts';

describe('k8s/convert: raw objects to our own types', () => {
  it('never throws, whatever the input', () => {
    const converters = [
      convertIngress,
      convertIngressClass,
      convertIngressClassParams,
      convertService,
      convertEndpointSlice,
      convertNode,
      convertSecret,
    ];
    fc.assert(
      fc.property(
        fc.anything(),
        fc.record({ metadata: fc.anything(), spec: fc.anything(), status: fc.anything() }),
        (a, b) => {
          for (const c of converters) {
            c(a);
            c(b);
          }
          snapshotFromObjects([a, b, { kind: 'List', items: [a, b] }]);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('keeps an Ingress with shape errors, with problems naming the field', () => {
    const c = convertIngress({
      kind: 'Ingress',
      metadata: { name: 'x', namespace: 'ns' },
      spec: {
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Sometimes', backend: { service: { name: 's', port: { number: 80 } } } },
                { path: '/ok', pathType: 'Exact', backend: {} },
              ],
            },
          },
        ],
      },
    });
    assert.ok(c.value !== undefined);
    assert.deepEqual(
      c.value.problems?.map((d) => [d.object.name, d.field]),
      [
        ['x', 'spec.rules[0].http.paths[0].pathType'],
        ['x', 'spec.rules[0].http.paths[1].backend'],
      ],
    );
  });

  it('drops an object without a name, with a diagnostic', () => {
    const c = convertService({ kind: 'Service', metadata: { namespace: 'ns' } });
    assert.equal(c.value, undefined);
    assert.equal(c.diagnostics[0]?.field, 'metadata.name');
  });

  it('reads ports, readiness, secret data and label selectors', () => {
    const svc = convertService({
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { type: 'NodePort', ports: [{ port: 80, targetPort: '8080', nodePort: 30000 }, { port: 'eighty' }] },
    });
    assert.deepEqual(
      svc.value?.spec.ports.map((p) => [p.port, p.targetPort, p.nodePort]),
      [[80, 8080, 30000]],
    );
    assert.equal(svc.diagnostics[0]?.field, 'spec.ports[1].port');
    const node = convertNode({
      kind: 'Node',
      metadata: { name: 'n' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    assert.equal(node.value?.status.ready, 'True');
    const secret = convertSecret({
      kind: 'Secret',
      metadata: { name: 't', namespace: 'n' },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': Buffer.from('key').toString('base64') },
    });
    assert.equal(secret.value?.data['tls.key'], 'key');
    const params = convertIngressClassParams({
      kind: 'IngressClassParams',
      metadata: { name: 'p' },
      spec: {
        namespaceSelector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'Sometimes' }] },
        wafv2AclArn: 'x',
      },
    });
    assert.deepEqual(params.value?.spec.namespaceSelector?.matchLabels, { a: 'b' });
    assert.deepEqual(params.value?.spec.unsupported, ['wafv2AclArn']);
    assert.equal(params.diagnostics[0]?.field, 'spec.namespaceSelector.matchExpressions[0]');
  });
});

describe('k8s/manifests: multi-document YAML', () => {
  it('reports an unparsable document with its position and still reads the others', () => {
    const text =
      'kind: Service\nmetadata: {name: a, namespace: n}\n---\nkind: Ingress\nmetadata: {name: [unclosed\n---\nkind: Namespace\nmetadata: {name: n}\n';
    const { snapshot, diagnostics } = snapshotFromManifests(text, 'in.yaml');
    assert.equal(snapshot.services.length, 1);
    assert.equal(snapshot.namespaces.length, 1);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.code, 'InvalidManifest');
    assert.deepEqual(diagnostics[0]?.object, { kind: 'File', name: 'in.yaml' });
    assert.equal(diagnostics[0]?.field, 'documents[1]');
    assert.match(diagnostics[0]?.message ?? '', /line \d+, column \d+/);
  });
});
