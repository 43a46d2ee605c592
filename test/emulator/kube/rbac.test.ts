import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, KubeConfig, NetworkingV1Api, CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startKubeApiServer } from '../../../src/emulator/kube/index.ts';
import type { JsonObject } from '../../../src/emulator/kube/index.ts';
import type { Harness } from './harness.ts';
import { startHarness } from './harness.ts';

const rbacYaml = `apiVersion: v1
kind: ServiceAccount
metadata: {name: portico, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: portico}
rules:
- apiGroups: [networking.k8s.io]
  resources: [ingresses, ingressclasses]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses/status]
  verbs: [update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: portico}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: portico}
subjects:
- {kind: ServiceAccount, name: portico, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secrets-reader, namespace: default}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [tls-one]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: portico-secrets, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets-reader}
subjects:
- {kind: ServiceAccount, name: portico, namespace: kube-system}
`;

describe('RBAC enforcement (rbac: true)', () => {
  let h: Harness;
  const sa = 'system:serviceaccount:kube-system:portico';
  before(async () => {
    h = await startHarness({ rbac: true });
  });
  after(async () => {
    await h.close();
  });

  it('kubectl applies the RBAC objects as admin and impersonates the ServiceAccount with --as', async () => {
    // kubectl never sends a bearer token over plain HTTP, so here the caller is the default admin.
    const applied = await h.kubectl(['apply', '-f', '-'], rbacYaml);
    assert.equal(applied.code, 0, applied.stderr);
    const allowed = await h.kubectl(['--as', sa, 'get', 'ingress', '-A']);
    assert.equal(allowed.code, 0, allowed.stderr);
    const denied = await h.kubectl(['--as', sa, 'get', 'secrets']);
    assert.equal(
      denied.stderr.trim(),
      `Error from server (Forbidden): secrets is forbidden: User "${sa}" cannot list resource "secrets" in API group "" in the namespace "default"`,
    );
  });

  it('client-node with the ServiceAccount token gets exactly the rules bound to it', async () => {
    const server = await startKubeApiServer({
      rbac: true,
      tokens: { 'sa-token': { name: sa, groups: [] } },
      seed: parseAllDocuments(rbacYaml).map((d) => d.toJSON() as JsonObject),
    });
    after(() => server.close());
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig({ token: 'sa-token' }));
    const net = kc.makeApiClient(NetworkingV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    server.store.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tls-one', namespace: 'default' },
      stringData: { a: 'b' },
    });
    server.store.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tls-two', namespace: 'default' },
      stringData: { a: 'b' },
    });
    await net.listIngressForAllNamespaces();
    await core.readNamespacedSecret({ name: 'tls-one', namespace: 'default' });
    const refused = async (p: Promise<unknown>) =>
      assert.rejects(
        p,
        (e) => e instanceof ApiException && e.code === 403 && JSON.parse(String(e.body)).reason === 'Forbidden',
      );
    await refused(core.readNamespacedSecret({ name: 'tls-two', namespace: 'default' }));
    await refused(net.deleteNamespacedIngress({ name: 'x', namespace: 'default' }));
    const anonymous = new KubeConfig();
    anonymous.loadFromString(server.kubeconfig());
    await assert.rejects(
      anonymous.makeApiClient(NetworkingV1Api).listIngressForAllNamespaces(),
      (e) => e instanceof ApiException && e.code === 401,
    );
  });
});
