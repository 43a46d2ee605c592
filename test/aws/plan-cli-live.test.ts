/**
 * `portico plan --live` against the emulator: read-only, shows creation for a new stack, nothing for
 * an applied one, and the deletion of a stack no manifest produces any more.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { translateAll } from '../../src/ingress/translate.ts';
import { snapshotFromManifests } from '../../src/k8s/manifests.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { emulator } from './support/harness.ts';
import { AwsCaller } from '../../src/aws/calls.ts';
import { createAwsClients, destroyAwsClients } from '../../src/aws/clients.ts';
import { AwsProvider } from '../../src/aws/provider.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
// IP targets inside the emulator's default VPC (172.31.0.0/16), so they register without an AZ.
const CLUSTER_YAML = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: portico, annotations: { ingressclass.kubernetes.io/is-default-class: 'true' } }
spec: { controller: portico.dev/ingress-controller }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: ClusterIP, ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [{ name: http, port: 8080 }]
endpoints: [{ addresses: [172.31.1.10] }, { addresses: [172.31.1.11] }]
`;
const SHOP_YAML = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: default, annotations: { alb.ingress.kubernetes.io/target-type: ip } }
spec:
  rules:
    - http:
        paths:
          - { path: /api, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
          - { path: /, pathType: Exact, backend: { service: { name: web, port: { number: 80 } } } }
`;
const dir = mkdtempSync(join(tmpdir(), 'portico-plan-'));
const cluster = join(dir, 'cluster.yaml');
const shop = join(dir, 'shop.yaml');
writeFileSync(cluster, CLUSTER_YAML);
writeFileSync(shop, SHOP_YAML);

describe('portico plan --live (against the emulator)', () => {
  let aws: AwsEmulator;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = async (...files: string[]) => {
    const args = [
      join(root, 'src', 'cli', 'main.ts'),
      'plan',
      '--live',
      '--cluster-name',
      'live',
      ...files.flatMap((f) => ['-f', f]),
    ];
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    };
    return (await run(process.execPath, args, { env })).stdout;
  };

  it('plans creation, then nothing once applied, then the deletion of a dropped stack — without writing', async () => {
    const before = await plan(cluster, shop);
    assert.match(before, /elbv2:CreateLoadBalancer/);
    assert.match(before, /elbv2:CreateRule port 80 priority 1/);

    // Apply the same translation through the provider, as the controller would.
    const { snapshot } = snapshotFromManifests(`${readFileSync(cluster, 'utf8')}\n---\n${readFileSync(shop, 'utf8')}`);
    const stack = translateAll(snapshot, { certificates: [] }, { clusterName: 'live' }).results[0]?.stack;
    assert.ok(stack !== undefined);
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: aws.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const provider = new AwsProvider({ clients, caller: new AwsCaller({ rateLimits: [] }), clusterName: 'live' });
    await provider.reconcile({ stackId: stack.id, desired: stack, index: await provider.readIndex() });
    destroyAwsClients(clients);

    aws.control.clearCalls();
    assert.match(await plan(cluster, shop), /none: AWS already holds this stack/);
    const dropped = await plan(cluster);
    assert.match(dropped, /Stack default\/shop: no longer produced by any Ingress/);
    assert.match(dropped, /elbv2:DeleteLoadBalancer/);
    // '(none)' is how the emulator logs a request without an Action (seen once under heavy load in CI):
    // it is answered with an error and cannot write, so only named operations count.
    const writes = Object.keys(aws.control.calls().byOperation).filter(
      (op) => !/^(Describe|Get|List)/.test(op) && op !== '(none)',
    );
    assert.deepEqual(writes, []);
    assert.equal(aws.state.loadBalancers().length, 1);
  });
});
