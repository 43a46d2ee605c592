import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { find, kustomize, manifestsDir, parseObjects } from './render.ts';
import type { RenderedObject } from './render.ts';

interface Container {
  readonly args: string[];
  readonly ports: Array<{ name: string; containerPort: number }>;
  readonly livenessProbe: { httpGet: { path: string; port: string } };
  readonly readinessProbe: { httpGet: { path: string; port: string } };
  readonly resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly securityContext: {
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[] };
  };
  readonly envFrom: Array<{ configMapRef: { name: string } }>;
}

interface PodSpec {
  readonly serviceAccountName: string;
  readonly securityContext: { runAsNonRoot: boolean; runAsUser: number; seccompProfile: { type: string } };
  readonly containers: Container[];
  readonly topologySpreadConstraints: Array<{ topologyKey: string }>;
}

describe('kustomize base (manifests/base)', () => {
  let base: RenderedObject[];
  let pod: PodSpec;
  let container: Container;
  before(async () => {
    base = await kustomize('base');
    const deployment = find(base, 'Deployment', 'portico') as RenderedObject & {
      spec: { replicas: number; template: { spec: PodSpec } };
    };
    pod = deployment.spec.template.spec;
    const first = pod.containers[0];
    assert.ok(first);
    container = first;
  });

  it('runs two replicas with leader election, spread over zones and nodes', () => {
    const deployment = find(base, 'Deployment', 'portico') as RenderedObject & { spec: { replicas: number } };
    assert.equal(deployment.spec.replicas, 2);
    assert.ok(!container.args.includes('--no-leader-election'));
    assert.deepEqual(
      pod.topologySpreadConstraints.map((c) => c.topologyKey),
      ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'],
    );
    const pdb = find(base, 'PodDisruptionBudget', 'portico') as RenderedObject & { spec: { maxUnavailable: number } };
    assert.equal(pdb.spec.maxUnavailable, 1);
  });

  it('runs non-root on a read-only root filesystem with no capabilities', () => {
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const ns = find(base, 'Namespace', 'portico-system');
    assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('probes /healthz and /readyz on the health port and exposes metrics on 8080', () => {
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
    assert.deepEqual(
      container.ports.map((p) => [p.name, p.containerPort]),
      [
        ['metrics', 8080],
        ['health', 8081],
      ],
    );
    const service = find(base, 'Service', 'portico-metrics') as RenderedObject & {
      spec: { ports: Array<{ port: number; targetPort: string }> };
    };
    assert.deepEqual(
      service.spec.ports.map((p) => [p.port, p.targetPort]),
      [[8080, 'metrics']],
    );
    assert.ok(container.resources.requests?.['memory'] && container.resources.limits?.['memory']);
  });

  it('reads its settings from the ConfigMap and leaves the cluster name to the user', () => {
    assert.deepEqual(container.envFrom, [{ configMapRef: { name: 'portico-config' } }]);
    const config = find(base, 'ConfigMap', 'portico-config') as RenderedObject & { data: Record<string, string> };
    assert.equal(config.data['PORTICO_CLUSTER_NAME'], '');
  });

  it('installs the portico IngressClass and the IngressClassParams CRD of DESIGN.md', () => {
    const cls = find(base, 'IngressClass', 'portico') as RenderedObject & { spec: { controller: string } };
    assert.equal(cls.spec.controller, 'portico.dev/ingress-controller');
    assert.equal(cls.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], undefined);
    const crd = find(base, 'CustomResourceDefinition', 'ingressclassparams.portico.dev') as RenderedObject & {
      spec: { group: string; scope: string; versions: Array<{ name: string; storage: boolean }> };
    };
    assert.equal(crd.spec.group, 'portico.dev');
    assert.equal(crd.spec.scope, 'Cluster');
    assert.deepEqual(
      crd.spec.versions.map((v) => [v.name, v.storage]),
      [['v1alpha1', true]],
    );
  });

  it('has a schema with every field of the AWS controller IngressClassParams', () => {
    const crd = find(base, 'CustomResourceDefinition', 'ingressclassparams.portico.dev') as RenderedObject & {
      spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: object } } } } }> };
    };
    const fields = Object.keys(crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties ?? {}).sort();
    // elbv2.k8s.aws/v1beta1 IngressClassParamsSpec (reference/aws-lbc.md §1.2).
    const lbc = [
      'namespaceSelector',
      'group',
      'loadBalancerName',
      'scheme',
      'ipAddressType',
      'inboundCIDRs',
      'prefixListsIDs',
      'PrefixListsIDs',
      'certificateArn',
      'sslPolicy',
      'sslRedirectPort',
      'subnets',
      'tags',
      'targetType',
      'loadBalancerAttributes',
      'listeners',
      'minimumLoadBalancerCapacity',
      'ipamConfiguration',
      'wafv2AclArn',
      'wafv2AclName',
    ].sort();
    assert.deepEqual(fields, lbc);
  });

  it('grants leases only in its own namespace, and only the leader Lease beyond create', () => {
    const role = find(base, 'Role', 'portico-leader-election') as RenderedObject & {
      rules: Array<{ resources: string[]; verbs: string[]; resourceNames?: string[] }>;
    };
    assert.equal(role.metadata.namespace, 'portico-system');
    assert.deepEqual(role.rules, [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['portico-controller'],
        verbs: ['get', 'update'],
      },
    ]);
    const clusterRole = find(base, 'ClusterRole', 'portico') as RenderedObject & {
      rules: Array<{ resources: string[]; verbs: string[] }>;
    };
    const writes = clusterRole.rules.filter((r) => r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
    assert.deepEqual(
      writes.flatMap((r) => r.resources).sort(),
      ['events', 'ingresses', 'ingresses/status'],
      'the controller writes only Ingresses (finalizer, status) and Events',
    );
  });
});

describe('examples (manifests/examples)', () => {
  const dir = join(manifestsDir, 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('parse, and every Ingress names a Portico class', () => {
    assert.ok(files.length >= 3);
    const classes = new Set(['portico']);
    const objects = files.flatMap((f) => parseObjects(readFileSync(join(dir, f), 'utf8')));
    for (const o of objects) if (o.kind === 'IngressClass') classes.add(o.metadata.name);
    const ingresses = objects.filter((o) => o.kind === 'Ingress') as Array<
      RenderedObject & { spec: { ingressClassName: string } }
    >;
    assert.ok(ingresses.length >= 2);
    for (const ing of ingresses) assert.ok(classes.has(ing.spec.ingressClassName), ing.metadata.name);
  });

  it('build with kustomize (overlays)', async () => {
    const irsa = await kustomize('examples/irsa-overlay');
    assert.match(
      find(irsa, 'ServiceAccount', 'portico').metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '',
      /^arn:aws:iam::\d{12}:role\//,
    );
    const config = find(irsa, 'ConfigMap', 'portico-config') as RenderedObject & { data: Record<string, string> };
    assert.equal(config.data['PORTICO_CLUSTER_NAME'], 'demo');
  });
});
