import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { chartDir, find, helmTemplate, kustomize, objectKey, repoRoot, tool } from './render.ts';
import type { RenderedObject } from './render.ts';

/** Labels and annotations only Helm adds; everything else must match the kustomize base. */
const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version'];
const HELM_ONLY_POD_ANNOTATIONS = ['checksum/config'];

function withoutKeys(record: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => !keys.includes(k)));
}

function withoutHelmBookkeeping(o: RenderedObject): unknown {
  const copy = structuredClone(o) as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
  copy.metadata['labels'] = withoutKeys(o.metadata.labels, HELM_ONLY_LABELS);
  const template = copy.spec?.['template'] as { metadata?: Record<string, unknown> } | undefined;
  if (template?.metadata !== undefined) {
    const annotations = withoutKeys(
      template.metadata['annotations'] as Record<string, string>,
      HELM_ONLY_POD_ANNOTATIONS,
    );
    if (Object.keys(annotations).length === 0) delete template.metadata['annotations'];
    else template.metadata['annotations'] = annotations;
  }
  return copy;
}

function containerOf(deployment: RenderedObject): Record<string, unknown> & { args: string[] } {
  const spec = deployment['spec'] as {
    template: { spec: { containers: Array<Record<string, unknown> & { args: string[] }> } };
  };
  const container = spec.template.spec.containers[0];
  assert.ok(container, 'the Deployment has a container');
  return container;
}

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('Helm chart (manifests/helm/portico)', () => {
  it('passes helm lint with a cluster name', async () => {
    const out = await tool('helm', ['lint', chartDir, '--set', 'clusterName=lint']);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('refuses to render without a cluster name, saying why', async () => {
    await assert.rejects(helmTemplate({}), /clusterName is required/);
  });

  it('rejects values of the wrong shape through its schema', async () => {
    await assert.rejects(helmTemplate({ clusterName: 'a', provider: 'gcp' }), /provider/);
  });

  it('carries the version of the code it installs', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
    assert.equal(chart.appVersion, packageVersion);
    assert.equal(chart.version, packageVersion);
  });
});

describe('the chart and the kustomize base render the same objects', () => {
  let chart: RenderedObject[];
  let base: RenderedObject[];
  before(async () => {
    // Same settings both ways: manifests/examples/kustomize-overlay sets exactly these.
    [chart, base] = await Promise.all([
      helmTemplate({ clusterName: 'demo', region: 'eu-west-1', createNamespace: 'true' }),
      kustomize('examples/kustomize-overlay'),
    ]);
  });

  it('has the same set of objects', () => {
    assert.deepEqual(chart.map(objectKey).sort(), base.map(objectKey).sort());
  });

  it('has identical objects apart from the labels and checksum only Helm adds', () => {
    const byKey = new Map(base.map((o) => [objectKey(o), o]));
    for (const o of chart) {
      const other = byKey.get(objectKey(o));
      assert.ok(other, objectKey(o));
      assert.deepEqual(withoutHelmBookkeeping(o), withoutHelmBookkeeping(other), objectKey(o));
    }
  });

  it('uses one CRD file for both', () => {
    const a = readFileSync(join(chartDir, 'crds', 'portico.dev_ingressclassparams.yaml'), 'utf8');
    const b = readFileSync(join(repoRoot, 'manifests', 'base', 'crds', 'portico.dev_ingressclassparams.yaml'), 'utf8');
    assert.equal(a, b);
  });
});

describe('what the chart values do', () => {
  it('turns cluster, region, namespaces and log level into the controller environment', async () => {
    const objects = await helmTemplate(
      { clusterName: 'prod-1', region: 'us-west-2', logLevel: 'debug', provider: 'envoy' },
      { setJson: { watchNamespaces: ['shop', 'blog'] } },
    );
    assert.deepEqual(find(objects, 'ConfigMap', 'portico-config')['data'], {
      PORTICO_CLUSTER_NAME: 'prod-1',
      PORTICO_PROVIDER: 'envoy',
      AWS_REGION: 'us-west-2',
      PORTICO_WATCH_NAMESPACE: 'shop,blog',
      PORTICO_LOG_LEVEL: 'debug',
    });
  });

  it('passes default tags sorted, then extra args, after the ingress class', async () => {
    const objects = await helmTemplate(
      { clusterName: 'c', 'ingressClass.name': 'alb-public' },
      { setJson: { defaultTags: { team: 'web', env: 'prod' }, extraArgs: ['--default-target-type=ip'] } },
    );
    assert.deepEqual(containerOf(find(objects, 'Deployment', 'portico')).args, [
      'controller',
      '--ingress-class=alb-public',
      '--default-tags=env=prod,team=web',
      '--default-target-type=ip',
    ]);
    assert.equal(find(objects, 'IngressClass', 'alb-public')['spec'] !== undefined, true);
  });

  it('annotates the ServiceAccount for IRSA and uses the image given', async () => {
    const role = 'arn:aws:iam::111122223333:role/portico';
    const objects = await helmTemplate(
      { clusterName: 'c', 'image.repository': 'example.com/portico', 'image.tag': 'dev' },
      { setJson: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': role } } } },
    );
    assert.equal(find(objects, 'ServiceAccount', 'portico').metadata.annotations?.['eks.amazonaws.com/role-arn'], role);
    assert.equal(containerOf(find(objects, 'Deployment', 'portico'))['image'], 'example.com/portico:dev');
  });

  it('makes the class the default and attaches IngressClassParams when asked', async () => {
    const objects = await helmTemplate(
      { clusterName: 'c', 'ingressClass.default': 'true' },
      { setJson: { ingressClassParams: { create: true, spec: { scheme: 'internet-facing', group: { name: 'g' } } } } },
    );
    const cls = find(objects, 'IngressClass', 'portico');
    assert.equal(cls.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
    assert.deepEqual(cls['spec'], {
      controller: 'portico.dev/ingress-controller',
      parameters: { apiGroup: 'portico.dev', kind: 'IngressClassParams', name: 'portico' },
    });
    const params = find(objects, 'IngressClassParams', 'portico');
    assert.equal(params.apiVersion, 'portico.dev/v1alpha1');
    assert.deepEqual(params['spec'], { scheme: 'internet-facing', group: { name: 'g' } });
  });

  it('drops the leader-election Role when leader election is off, and names a custom Lease', async () => {
    const off = await helmTemplate({ clusterName: 'c' }, { setJson: { leaderElection: { enabled: false } } });
    assert.equal(
      off.some((o) => o.kind === 'Role'),
      false,
    );
    assert.ok(containerOf(find(off, 'Deployment', 'portico')).args.includes('--no-leader-election'));
    const custom = await helmTemplate({ clusterName: 'c', 'leaderElection.id': 'edge-lease' });
    const role = find(custom, 'Role', 'portico-leader-election') as RenderedObject & {
      rules: Array<{ resourceNames?: string[] }>;
    };
    assert.deepEqual(role.rules[1]?.resourceNames, ['edge-lease']);
    assert.ok(containerOf(find(custom, 'Deployment', 'portico')).args.includes('--leader-election-id=edge-lease'));
  });

  it('names objects after the release and binds RBAC to its ServiceAccount', async () => {
    const objects = await helmTemplate({ clusterName: 'c' }, { release: 'edge', namespace: 'ingress' });
    const binding = find(objects, 'ClusterRoleBinding', 'edge-portico') as RenderedObject & {
      subjects: unknown[];
    };
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'edge-portico', namespace: 'ingress' }]);
    assert.equal(find(objects, 'Deployment', 'edge-portico').metadata.namespace, 'ingress');
  });
});
