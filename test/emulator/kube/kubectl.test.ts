import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { toolPath } from '../../../scripts/setup-tools.ts';
import type { Harness } from './harness.ts';
import { eventually, ingressYaml, startHarness } from './harness.ts';

/**
 * The real kubectl 1.35 against the embedded API server, through a written kubeconfig: the
 * acceptance list of issue 5 (apply both ways, get columns, describe with events, wait, patch,
 * delete held by a finalizer, get -w) plus CRDs and error output.
 */
describe('kubectl 1.35 against the embedded API server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('applies client-side: created, configured (generation moves), unchanged', async () => {
    let r = await h.kubectl(['apply', '-f', '-'], ingressYaml('csa'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ingress.networking.k8s.io/csa created');
    r = await h.kubectl(['apply', '-f', '-'], ingressYaml('csa', 8080));
    assert.equal(r.stdout.trim(), 'ingress.networking.k8s.io/csa configured');
    r = await h.kubectl(['apply', '-f', '-'], ingressYaml('csa', 8080));
    assert.equal(r.stdout.trim(), 'ingress.networking.k8s.io/csa unchanged');
    const obj = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'csa');
    const meta = obj['metadata'] as { generation: number; annotations: Record<string, string> };
    assert.equal(meta.generation, 2);
    assert.match(meta.annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '', /"number":8080/);
  });

  it('applies server-side, and a field dropped from the manifest is removed', async () => {
    const withLabel = ingressYaml('ssa').replace('  name: ssa\n', '  name: ssa\n  labels: {team: a}\n');
    let r = await h.kubectl(['apply', '--server-side', '-f', '-'], withLabel);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ingress.networking.k8s.io/ssa serverside-applied');
    r = await h.kubectl(['apply', '--server-side', '-f', '-'], ingressYaml('ssa', 81));
    assert.equal(r.code, 0, r.stderr);
    const obj = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'ssa');
    assert.equal((obj['metadata'] as { labels?: unknown }).labels, undefined);
    assert.match(JSON.stringify(obj['spec']), /"number":81/);
  });

  it('gets Ingresses with the real columns, ADDRESS from the status subresource', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('cols'));
    const r0 = await h.kubectl([
      'patch',
      'ingress',
      'cols',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.1.7","hostname":"cols-123.elb.example.com"}]}}}',
    ]);
    assert.equal(r0.code, 0, r0.stderr);
    const r = await h.kubectl(['get', 'ingress', 'cols']);
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trim().split('\n');
    assert.deepEqual(header?.split(/\s+/), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    assert.deepEqual(row?.split(/\s+/).slice(0, 5), [
      'cols',
      'portico',
      'cols.example.com',
      '127.0.1.7,cols-123.elb.example.com',
      '80',
    ]);
    const gen = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'cols')['metadata'] as { generation: number };
    assert.equal(gen.generation, 1, 'a status write does not move generation');
  });

  it('describes an Ingress with its Events (matched by involvedObject.uid)', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('desc'));
    const ing = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'desc');
    const meta = ing['metadata'] as { uid: string; name: string };
    h.server.store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'desc.1', namespace: 'default' },
      involvedObject: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        name: 'desc',
        namespace: 'default',
        uid: meta.uid,
      },
      reason: 'SuccessfullyReconciled',
      message: 'load balancer is up to date',
      type: 'Normal',
      source: { component: 'portico' },
      count: 1,
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:00:00Z',
    });
    const r = await h.kubectl(['describe', 'ingress', 'desc']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
    assert.match(r.stdout, /Normal\s+SuccessfullyReconciled\s+.*portico\s+load balancer is up to date/);
    assert.match(r.stdout, /desc\.example\.com/);
  });

  it('waits --for=jsonpath until the status is written', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('waiter'));
    const waiting = h.kubectl([
      'wait',
      '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=127.0.1.9',
      'ingress/waiter',
      '--timeout=20s',
    ]);
    await eventually(() => h.server.faults.openWatches > 0);
    const cur = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'waiter');
    h.server.store.updateStatus({ ...cur, status: { loadBalancer: { ingress: [{ ip: '127.0.1.9' }] } } });
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ingress.networking.k8s.io/waiter condition met');
  });

  it('patches with merge, JSON and strategic patches (finalizers merge as a set)', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('patchy'));
    let r = await h.kubectl([
      'patch',
      'ingress',
      'patchy',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["a.example.com/one"]}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await h.kubectl(['patch', 'ingress', 'patchy', '-p', '{"metadata":{"finalizers":["a.example.com/two"]}}']);
    assert.equal(r.code, 0, r.stderr);
    r = await h.kubectl([
      'patch',
      'ingress',
      'patchy',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ingressClassName","value":"other"}]',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const obj = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'patchy');
    assert.deepEqual((obj['metadata'] as { finalizers: string[] }).finalizers, [
      'a.example.com/one',
      'a.example.com/two',
    ]);
    assert.equal((obj['spec'] as { ingressClassName: string }).ingressClassName, 'other');
    r = await h.kubectl([
      'patch',
      'ingress',
      'patchy',
      '--type=json',
      '-p',
      '[{"op":"test","path":"/spec/ingressClassName","value":"nope"}]',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The request is invalid: testing value \/spec\/ingressClassName failed/);
  });

  it('deletes an object held by a finalizer only once the finalizer is removed', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('held'));
    await h.kubectl([
      'patch',
      'ingress',
      'held',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["portico.dev/resources"]}}',
    ]);
    let finished = false;
    const deleting = h.kubectl(['delete', 'ingress', 'held', '--timeout=30s']).then((r) => {
      finished = true;
      return r;
    });
    await eventually(() => {
      const meta = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'held')['metadata'] as {
        deletionTimestamp?: string;
      };
      return meta.deletionTimestamp !== undefined && h.server.faults.openWatches > 0;
    });
    assert.equal(finished, false, 'kubectl delete waits while the finalizer is there');
    const cur = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'held');
    h.server.store.update({ ...cur, metadata: { ...(cur['metadata'] as object), finalizers: [] } });
    const r = await deleting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ingress.networking.k8s.io "held" deleted/);
    const g = await h.kubectl(['get', 'ingress', 'held']);
    assert.equal(g.stderr.trim(), 'Error from server (NotFound): ingresses.networking.k8s.io "held" not found');
  });

  it('get -w prints rows as objects change, with one header', async () => {
    await h.kubectl(['apply', '-f', '-'], ingressYaml('watched'));
    const child = spawn(toolPath('kubectl'), [
      '--kubeconfig',
      h.kubeconfigPath,
      '--cache-dir',
      join(h.dir, 'cache'),
      'get',
      'ingress',
      'watched',
      '-w',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    await eventually(() => out.includes('watched') && h.server.faults.openWatches > 0);
    const cur = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'watched');
    h.server.store.updateStatus({ ...cur, status: { loadBalancer: { ingress: [{ ip: '127.0.1.3' }] } } });
    await eventually(() => out.includes('127.0.1.3'));
    child.kill('SIGTERM');
    await exited;
    const lines = out.trim().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('NAME')).length, 1, out);
    assert.match(lines[lines.length - 1] ?? '', /^watched\s+portico\s+watched\.example\.com\s+127\.0\.1\.3\s+80/);
  });

  it('serves a CRD applied at run time, with its printer columns', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ingressclassparams.portico.dev}
spec:
  group: portico.dev
  scope: Cluster
  names: {kind: IngressClassParams, plural: ingressclassparams, singular: ingressclassparams, listKind: IngressClassParamsList}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Group-Name, type: string, jsonPath: .spec.group.name}
    - {name: Scheme, type: string, jsonPath: .spec.scheme}
`;
    let r = await h.kubectl(['apply', '-f', '-'], crd);
    assert.equal(r.code, 0, r.stderr);
    r = await h.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: portico.dev/v1alpha1\nkind: IngressClassParams\nmetadata: {name: internal}\nspec: {scheme: internal, group: {name: shared}}\n',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ingressclassparams.portico.dev/internal created');
    r = await h.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: portico.dev/v1alpha1\nkind: IngressClassParams\nmetadata: {name: internal}\nspec: {scheme: internet-facing, group: {name: shared}}\n',
    );
    assert.equal(r.stdout.trim(), 'ingressclassparams.portico.dev/internal configured', r.stderr);
    r = await h.kubectl(['get', 'ingressclassparams']);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
      [
        ['NAME', 'GROUP-NAME', 'SCHEME'],
        ['internal', 'shared', 'internet-facing'],
      ],
    );
  });

  it('accepts the protobuf bodies of typed create commands (namespace, secret, configmap, service, ingress)', async () => {
    for (const args of [
      ['create', 'namespace', 'typed'],
      ['create', 'secret', 'generic', 'creds', '-n', 'typed', '--from-literal=user=admin'],
      ['create', 'configmap', 'settings', '-n', 'typed', '--from-literal=mode=fast'],
      ['create', 'service', 'nodeport', 'web', '-n', 'typed', '--tcp=80:8080'],
      ['create', 'ingress', 'typed', '-n', 'typed', '--class=portico', '--rule=typed.example.com/api*=web:80'],
    ]) {
      const r = await h.kubectl(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(
      (h.server.store.get('v1', 'Secret', 'creds', 'typed')['data'] as { user: string }).user,
      Buffer.from('admin').toString('base64'),
    );
    assert.deepEqual(h.server.store.get('v1', 'ConfigMap', 'settings', 'typed')['data'], { mode: 'fast' });
    const svc = h.server.store.get('v1', 'Service', 'web', 'typed')['spec'] as {
      ports: Array<{ port: number; targetPort: number; nodePort: number }>;
    };
    assert.deepEqual([svc.ports[0]?.port, svc.ports[0]?.targetPort], [80, 8080]);
    assert.ok((svc.ports[0]?.nodePort ?? 0) >= 30000);
    const spec = h.server.store.get('networking.k8s.io/v1', 'Ingress', 'typed', 'typed')['spec'];
    assert.deepEqual(spec, {
      ingressClassName: 'portico',
      rules: [
        {
          host: 'typed.example.com',
          http: {
            paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    });
  });

  it('prints the server Status for invalid Ingresses, naming each field', async () => {
    const bad = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bad}
spec:
  rules:
  - host: 10.0.0.1
    http: {paths: [{path: "api", pathType: Prefix, backend: {service: {name: web, port: {number: 70000}}}}]}
`;
    const r = await h.kubectl(['apply', '-f', '-'], bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The Ingress "bad" is invalid/);
    assert.match(
      r.stderr,
      /spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/,
    );
    assert.match(r.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "api": must be an absolute path/);
    assert.match(r.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.number: Invalid value: 70000/);
  });

  it('reports AlreadyExists and unknown resource types like a real server', async () => {
    await h.kubectl(['create', '-f', '-'], ingressYaml('dup'));
    const r = await h.kubectl(['create', '-f', '-'], ingressYaml('dup'));
    assert.equal(
      r.stderr.trim(),
      'Error from server (AlreadyExists): error when creating "STDIN": ingresses.networking.k8s.io "dup" already exists',
    );
    const u = await h.kubectl(['get', 'gizmos']);
    assert.match(u.stderr, /the server doesn't have a resource type "gizmos"/);
  });
});
