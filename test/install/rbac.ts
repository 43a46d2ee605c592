/**
 * Kubernetes RBAC, evaluated from rendered ClusterRole/Role/(Cluster)RoleBinding objects, as an authorizer for the
 * embedded API server: requests made with the controller's ServiceAccount token get exactly the permissions the
 * install grants it. Follows the RBAC rules of the real API server: a rule matches on API group, resource (with
 * `/subresource`), verb and, when listed, resource name; ClusterRoleBindings grant everywhere, RoleBindings only in
 * their namespace. Non-resource paths (discovery, OpenAPI, /version) are open to authenticated users, as the
 * default `system:discovery` and `system:public-info-viewer` roles make them.
 */
import type { Authorizer, RequestAttributes, UserInfo } from '../../src/emulator/kube/index.ts';
import { defineKind } from '../../src/emulator/kube/builtins.ts';
import type { ResourceKind } from '../../src/emulator/kube/registry.ts';
import type { RenderedObject } from './render.ts';

interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

interface Binding {
  readonly namespace: string | undefined;
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly Subject[];
}

function subjectMatches(subject: Subject, user: UserInfo): boolean {
  if (subject.kind === 'ServiceAccount') {
    return user.name === `system:serviceaccount:${subject.namespace ?? ''}:${subject.name}`;
  }
  if (subject.kind === 'User') return user.name === subject.name;
  if (subject.kind === 'Group') return user.groups.includes(subject.name);
  return false;
}

function ruleMatches(rule: PolicyRule, attrs: RequestAttributes): boolean {
  const has = (list: readonly string[] | undefined, value: string) =>
    (list ?? []).includes('*') || (list ?? []).includes(value);
  const resource = attrs.subresource === undefined ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  if (!has(rule.verbs, attrs.verb) || !has(rule.apiGroups, attrs.group) || !has(rule.resources, resource)) {
    return false;
  }
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}

/** An authorizer granting what the RBAC objects among `objects` grant; `system:masters` may do anything. */
export function rbacAuthorizer(objects: readonly RenderedObject[]): Authorizer {
  const rules = new Map<string, readonly PolicyRule[]>();
  const bindings: Binding[] = [];
  for (const o of objects) {
    if (o.kind === 'ClusterRole') rules.set(`ClusterRole//${o.metadata.name}`, o['rules'] as PolicyRule[]);
    if (o.kind === 'Role') rules.set(`Role/${o.metadata.namespace}/${o.metadata.name}`, o['rules'] as PolicyRule[]);
    if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
      bindings.push({
        namespace: o.kind === 'RoleBinding' ? o.metadata.namespace : undefined,
        roleRef: o['roleRef'] as Binding['roleRef'],
        subjects: (o['subjects'] as Subject[] | undefined) ?? [],
      });
    }
  }
  return (attrs) => {
    if (attrs.user.groups.includes('system:masters')) return true;
    if (!attrs.resourceRequest) return attrs.user.groups.includes('system:authenticated') || 'not authenticated';
    for (const b of bindings) {
      if (b.namespace !== undefined && b.namespace !== attrs.namespace) continue;
      if (!b.subjects.some((s) => subjectMatches(s, attrs.user))) continue;
      const roleKey = `${b.roleRef.kind}/${b.roleRef.kind === 'Role' ? (b.namespace ?? '') : ''}/${b.roleRef.name}`;
      if ((rules.get(roleKey) ?? []).some((r) => ruleMatches(r, attrs))) return true;
    }
    const where = attrs.namespace === undefined ? 'at the cluster scope' : `in the namespace "${attrs.namespace}"`;
    return `User "${attrs.user.name}" cannot ${attrs.verb} resource "${attrs.resource}" in API group "${attrs.group}" ${where}`;
  };
}

/**
 * Kinds of the install that the embedded API server does not serve (it serves what the controller reads). They
 * are added as plain kinds, validated for metadata only, so `kubectl apply` of the whole install can run.
 */
export function installOnlyKinds(): ResourceKind[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
    { group: rbac, version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
    { group: rbac, version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    { group: rbac, version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
    { group: rbac, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
    { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  ].map((k) => defineKind(k));
}
