/**
 * The last proof of the install's RBAC: the real controller, wired as `portico controller` wires it, talks to an
 * API server that enforces RBAC (`rbac: true`) with a bearer token for its ServiceAccount and nothing else. The
 * only permissions that token has are the RBAC objects the Helm chart (or the kustomize base) renders. If the
 * controller converges an Ingress and cleans it up with leader election on, the rendered RBAC is sufficient; the
 * control case drops one verb and shows the same run then fails on a 403.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { startKubeApiServer } from '../../src/emulator/kube/index.ts';
import type { JsonObject, KubeApiServer } from '../../src/emulator/kube/index.ts';
import { KubeApi, KubeApiError } from '../../src/k8s/api.ts';
import { FINALIZER } from '../../src/k8s/ingress-writer.ts';
import { ControllerMetrics } from '../../src/metrics/metrics.ts';
import { Controller } from '../../src/reconcile/controller.ts';
import { createProvider } from '../../src/reconcile/providers.ts';
import type { Provider } from '../../src/reconcile/provider.ts';
import { endpointSlice, ingress, service, until } from '../controller/support/kube.ts';
import { find, helmTemplate, kustomize } from './render.ts';
import type { RenderedObject } from './render.ts';

/** What the controller's ServiceAccount is given, plus what it needs to exist: the CRD and the IngressClass. */
const APPLIED_KINDS = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
]);
const TOKEN = 'portico-serviceaccount-token';
const IDENTITY = 'portico-rbac-test';
const IP_TARGETS = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

// createProvider builds its SDK clients with the default credential chain, as in a pod; this test file runs
// in its own process, so the chain's environment variables are set here.
process.env['AWS_ACCESS_KEY_ID'] = 'rbac-test';
process.env['AWS_SECRET_ACCESS_KEY'] = 'rbac-test';

interface Rendering {
  readonly name: string;
  readonly render: () => Promise<RenderedObject[]>;
}

const renderings: readonly Rendering[] = [
  { name: 'helm template', render: () => helmTemplate({ clusterName: 'demo', region: 'us-east-1' }) },
  { name: 'kubectl kustomize manifests/base', render: () => kustomize('base') },
];

/** A running install: the RBAC API server, the AWS emulator, and the controller holding only the SA token. */
interface Installed {
  readonly server: KubeApiServer;
  readonly aws: AwsEmulator;
  readonly controller: Controller;
  readonly namespace: string;
  readonly leaseName: string;
  /** The controller's log lines (pino JSON), in order. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** The rendered objects with `verb` removed from the ClusterRole rules on `resource` (rules left empty go). */
function withoutVerb(objects: readonly RenderedObject[], resource: string, verb: string): RenderedObject[] {
  return objects.map((o) => {
    if (o.kind !== 'ClusterRole') return o;
    const rules = (o['rules'] as Array<{ resources?: string[]; verbs: string[] }>)
      .map((r) => (r.resources?.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r))
      .filter((r) => r.verbs.length > 0);
    return { ...o, rules };
  });
}

/** `--name=value` / `--flag` container args as loadConfig flags (the leading `controller` subcommand skipped). */
function flagsOf(args: readonly string[]): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (const arg of args) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (m?.[1] !== undefined) flags[m[1]] = m[2] ?? true;
  }
  return flags;
}

async function install(objects: readonly RenderedObject[]): Promise<Installed> {
  const sa = objects.find((o) => o.kind === 'ServiceAccount');
  assert.ok(sa?.metadata.namespace !== undefined, 'the rendering has a namespaced ServiceAccount');
  const namespace = sa.metadata.namespace;
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === namespace);
  const leaseRule = (role?.['rules'] as Array<{ resourceNames?: string[] }> | undefined)?.find((r) => r.resourceNames);
  const leaseName = leaseRule?.resourceNames?.[0];
  assert.ok(leaseName !== undefined, `the rendering has a Role in ${namespace} naming the leader Lease`);

  const server = await startKubeApiServer({
    host: '127.0.0.1',
    port: 0,
    rbac: true,
    namespaces: ['default', 'kube-system', namespace],
    tokens: {
      [TOKEN]: {
        name: `system:serviceaccount:${namespace}:${sa.metadata.name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      },
    },
  });
  const aws = await startAwsEmulator({ host: '127.0.0.1', port: 0, seed: 42 });
  // As the admin (direct store access), exactly the rendered RBAC, the CRD and the IngressClass.
  for (const o of objects) if (APPLIED_KINDS.has(o.kind)) server.store.create(structuredClone(o) as JsonObject);

  // The controller's configuration as the rendered Deployment gives it: its args, its ConfigMap as environment,
  // POD_NAMESPACE from its own namespace. The test adds the endpoint, a cluster name (the kustomize base leaves
  // it to an overlay) and short leader-election timings.
  const deployment = find(objects, 'Deployment', 'portico');
  const container = (deployment['spec'] as { template: { spec: { containers: Array<{ args?: string[] }> } } }).template
    .spec.containers[0];
  const configMap = find(objects, 'ConfigMap', 'portico-config')['data'] as Record<string, string>;
  const config = loadConfig(
    {
      ...flagsOf(container?.args ?? []),
      'cluster-name': 'rbac-e2e',
      'leader-election-lease-duration': '4s',
      'leader-election-renew-deadline': '3s',
      'leader-election-retry-period': '500ms',
    },
    {
      ...configMap,
      POD_NAMESPACE: deployment.metadata.namespace ?? '',
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-east-1',
    },
  );
  if (Array.isArray(config)) throw new Error(JSON.stringify(config));
  assert.equal(config.provider, 'aws');
  assert.equal(config.leaderElection.enabled, true);
  assert.equal(config.leaderElection.namespace, namespace);

  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig({ token: TOKEN }));
  const api = new KubeApi(kc);
  const logs: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
  const metrics = new ControllerMetrics();
  const ref: { controller?: Controller } = {};
  const provider: Provider = await createProvider(config, {
    log,
    metrics,
    secret: (key) => ref.controller?.view.secret(key) ?? Promise.resolve(undefined),
    instanceAddresses: () => ref.controller?.view.instanceAddresses() ?? {},
    mayWrite: () => ref.controller?.isLeader ?? false,
  });
  const controller = new Controller({
    api,
    config,
    provider,
    log,
    metrics,
    identity: IDENTITY,
    holdOffMs: 20,
    backoff: { baseMs: 100, maxMs: 1000 },
  });
  ref.controller = controller;
  await controller.start();
  await until('leadership through the Lease', () => controller.isLeader);
  return {
    server,
    aws,
    controller,
    namespace,
    leaseName,
    logs,
    close: async () => {
      await controller.stop();
      await provider.close();
      api.close();
      await server.close();
      await aws.close();
    },
  };
}

function getIngress(env: Installed, name: string): JsonObject | undefined {
  try {
    return env.server.store.get('networking.k8s.io/v1', 'Ingress', name, 'default');
  } catch {
    return undefined;
  }
}

const finalizersOf = (o: JsonObject | undefined) => (o?.['metadata'] as { finalizers?: string[] })?.finalizers ?? [];
const hostnameOf = (o: JsonObject | undefined) =>
  ((o?.['status'] as { loadBalancer?: { ingress?: Array<{ hostname?: string }> } })?.loadBalancer?.ingress ?? [])[0]
    ?.hostname;
const forbiddenLines = (env: Installed) => env.logs.filter((l) => /forbidden/i.test(l));

function createApp(env: Installed): void {
  env.server.store.create(service('web'));
  env.server.store.create(endpointSlice('web-1', 'web', ['10.0.1.10', '10.0.1.11']));
  env.server.store.create(ingress('web', { service: 'web', annotations: IP_TARGETS }));
}

for (const rendering of renderings) {
  describe(`the controller with exactly the RBAC of ${rendering.name}`, () => {
    let objects: RenderedObject[];
    before(async () => {
      objects = await rendering.render();
    });

    it('holds its Lease, converges an Ingress, and releases it on delete', async () => {
      const env = await install(objects);
      try {
        const lease = env.server.store.get('coordination.k8s.io/v1', 'Lease', env.leaseName, env.namespace);
        assert.equal((lease['spec'] as { holderIdentity?: string }).holderIdentity, IDENTITY);

        createApp(env);
        const ing = await until('status.loadBalancer hostname', () => {
          const o = getIngress(env, 'web');
          return hostnameOf(o) !== undefined ? o : undefined;
        });
        const lb = env.aws.state.loadBalancers()[0];
        assert.ok(lb !== undefined, 'the emulator holds the load balancer');
        assert.equal(lb.tags['portico.dev/stack'], 'default/web');
        assert.equal(hostnameOf(ing), lb.dnsName.toLowerCase());
        assert.deepEqual(finalizersOf(ing), [FINALIZER]);
        const tg = env.aws.state.targetGroups()[0];
        assert.deepEqual(tg?.targets.map((t) => t.id).sort(), ['10.0.1.10', '10.0.1.11']);
        await until('an Event on the Ingress', () =>
          env.server.store
            .list('v1', 'Event', 'default')
            .some((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === 'web'),
        );

        env.server.store.delete('networking.k8s.io/v1', 'Ingress', 'web', 'default');
        await until('the Ingress gone (finalizer released)', () => getIngress(env, 'web') === undefined);
        assert.equal(env.aws.state.loadBalancers().length, 0, 'the ALB is deleted');
        assert.equal(env.aws.state.targetGroups().length, 0, 'the target group is deleted');

        await env.controller.stop();
        const released = env.server.store.get('coordination.k8s.io/v1', 'Lease', env.leaseName, env.namespace);
        assert.notEqual((released['spec'] as { holderIdentity?: string }).holderIdentity, IDENTITY);
        // Not one request of the whole run was refused.
        assert.deepEqual(forbiddenLines(env), []);
      } catch (e: unknown) {
        process.stderr.write(env.logs.slice(-40).join('\n') + '\n');
        throw e;
      } finally {
        await env.close();
      }
    });
  });
}

describe('the control: the chart RBAC without patch on ingresses/status', () => {
  let env: Installed;
  before(async () => {
    env = await install(withoutVerb(await renderings[0]!.render(), 'ingresses/status', 'patch'));
  });
  after(async () => {
    await env.close();
  });

  it('does not converge: the status write is refused with 403', async () => {
    createApp(env);
    // The reconcile gets as far as the load balancer (and the finalizer), then the server refuses the status patch.
    const refusal = await until('a refused status write in the log', () =>
      forbiddenLines(env).find((l) => l.includes('cannot patch resource \\"ingresses/status\\"')),
    );
    assert.match(refusal, /"type":"KubeApiError"/);
    assert.equal(env.aws.state.loadBalancers().length, 1);
    // A 403 is not retryable, so nothing heals it: a while later the Ingress still has no address.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const ing = getIngress(env, 'web');
    assert.deepEqual(finalizersOf(ing), [FINALIZER]);
    assert.equal(hostnameOf(ing), undefined, 'status.loadBalancer stays empty');
    // The server's answer to that request, asked directly with the ServiceAccount token.
    const kc = new KubeConfig();
    kc.loadFromString(env.server.kubeconfig({ token: TOKEN }));
    const api = new KubeApi(kc);
    try {
      await assert.rejects(
        api.patch('/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status', {
          status: { loadBalancer: { ingress: [{ hostname: 'x.example.com' }] } },
        }),
        (e: unknown) => e instanceof KubeApiError && e.statusCode === 403,
      );
    } finally {
      api.close();
    }
  });
});
