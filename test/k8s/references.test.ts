import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupIndex } from '../../src/k8s/group-index.ts';
import { ingressReferences } from '../../src/k8s/references.ts';
import { slimIngress, slimService, ingressChanged } from '../../src/k8s/slim.ts';
import { parseListenAddress } from '../../src/metrics/server.ts';
import { ingress } from '../controller/support/kube.ts';

const P = 'alb.ingress.kubernetes.io/';

describe('what an Ingress references', () => {
  const cases: Array<{ name: string; raw: Record<string, unknown>; services: string[]; secrets: string[] }> = [
    { name: 'a plain backend', raw: ingress('a', { service: 'web' }), services: ['default/web'], secrets: [] },
    {
      name: 'a TLS secret',
      raw: ingress('a', { service: 'web', tlsSecret: 'cert', namespace: 'shop' }),
      services: ['shop/web'],
      secrets: ['shop/cert'],
    },
    {
      name: 'services named in an actions annotation and an OIDC secret',
      raw: ingress('a', {
        service: 'web',
        annotations: {
          [`${P}actions.blue-green`]: JSON.stringify({
            type: 'forward',
            forwardConfig: {
              targetGroups: [
                { serviceName: 'blue', servicePort: 80 },
                { serviceName: 'green', servicePort: 80 },
              ],
            },
          }),
          [`${P}auth-idp-oidc`]: JSON.stringify({ issuer: 'https://idp', secretName: 'oidc' }),
        },
      }),
      services: ['default/blue', 'default/green', 'default/web'],
      secrets: ['default/oidc'],
    },
    {
      name: 'a malformed actions annotation (translation reports it)',
      raw: ingress('a', { service: 'web', annotations: { [`${P}actions.x`]: '{not json' } }),
      services: ['default/web'],
      secrets: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ing = slimIngress(c.raw);
      assert.ok(ing);
      assert.deepEqual(ingressReferences(ing, P), { services: c.services, secrets: c.secrets });
    });
  }
});

describe('GroupIndex', () => {
  it('reports old and new groups on a move, and routes Services and slices to groups', () => {
    const x = new GroupIndex();
    assert.deepEqual(x.setIngress('ns/a', 'g1', { services: ['ns/web'], secrets: [] }), ['g1']);
    assert.deepEqual(x.setIngress('ns/b', 'g1', { services: ['ns/api'], secrets: ['ns/tls'] }), ['g1']);
    assert.deepEqual(x.setIngress('ns/a', 'g2', { services: ['ns/web'], secrets: [] }).sort(), ['g1', 'g2']);
    assert.deepEqual(x.groupsOfService('ns/web'), ['g2']);
    assert.deepEqual(x.groupsOfSecret('ns/tls'), ['g1']);
    assert.deepEqual(x.setSlice('ns/web-1', 'ns/web'), ['ns/web']);
    assert.deepEqual(x.slicesOf('ns/web'), ['ns/web-1']);
    assert.deepEqual(x.setSlice('ns/web-1', 'ns/api').sort(), ['ns/api', 'ns/web']);
  });

  it('remembers the group an Ingress left until its finalizer is released, and routes its deletion there', () => {
    const x = new GroupIndex();
    x.setIngress('ns/a', 'g1', { services: [], secrets: [] });
    assert.deepEqual(x.setIngress('ns/a', undefined, { services: [], secrets: [] }), ['g1']);
    assert.deepEqual(x.formerMembers('g1'), ['ns/a']);
    assert.deepEqual(x.groups(), []);
    // A later change of the departed Ingress (e.g. its deletion starting) still reaches g1.
    assert.deepEqual(x.setIngress('ns/a', undefined, { services: [], secrets: [] }), ['g1']);
    x.forgetFormer('ns/a');
    assert.deepEqual(x.formerMembers('g1'), []);
  });
});

describe('slim transforms', () => {
  it('drop last-applied and foreign Service annotations, and ignore our own writes when comparing', () => {
    const raw = ingress('a', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}' } });
    const a = slimIngress(raw);
    assert.ok(a);
    assert.deepEqual(a.metadata.annotations, {});
    const b = {
      ...a,
      metadata: {
        ...a.metadata,
        resourceVersion: '99',
        finalizers: ['portico.dev/resources'],
        annotations: { 'portico.dev/conditions': '[]' },
      },
      status: { loadBalancer: { ingress: [{ hostname: 'x' }] } },
    };
    assert.equal(ingressChanged(a, b), false);
    assert.equal(ingressChanged(a, { ...a, metadata: { ...a.metadata, labels: { x: '1' } } }), true);
    const svc = slimService([P])({
      metadata: {
        name: 's',
        namespace: 'ns',
        labels: { app: 'x' },
        annotations: { [`${P}healthcheck-path`]: '/hz', other: 'y' },
      },
      spec: { ports: [{ port: 80 }] },
    });
    assert.deepEqual(svc?.metadata.annotations, { [`${P}healthcheck-path`]: '/hz' });
    assert.deepEqual(svc?.metadata.labels, {});
  });
});

describe('listen addresses', () => {
  it('parses host:port, :port and port; rejects the rest', () => {
    assert.deepEqual(parseListenAddress(':8080'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseListenAddress('[::1]:9'), { host: '::1', port: 9 });
    assert.deepEqual(parseListenAddress('9090'), { host: '0.0.0.0', port: 9090 });
    assert.equal(parseListenAddress('localhost'), undefined);
    assert.equal(parseListenAddress(':70000'), undefined);
  });
});
