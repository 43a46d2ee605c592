import type { JsonObject } from './json.ts';
import { arrayAt, isObject, objectAt, stringAt } from './json.ts';
import type { Authorizer, RequestAttributes } from './auth.ts';
import type { ResourceKind } from './registry.ts';
import type { ObjectStore } from './store.ts';
import { defineKind } from './builtins.ts';
import { ageColumn, column } from './columns.ts';

const rbacGroup = 'rbac.authorization.k8s.io';

/** ServiceAccount and the four RBAC kinds, served like any other kind. */
export function rbacKinds(): ResourceKind[] {
  const roleRef = column(
    'Role',
    (o) => `${stringAt(objectAt(o, 'roleRef'), 'kind') ?? ''}/${stringAt(objectAt(o, 'roleRef'), 'name') ?? ''}`,
  );
  return [
    defineKind({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      namespaced: true,
      shortNames: ['sa'],
    }),
    defineKind({
      group: rbacGroup,
      version: 'v1',
      kind: 'Role',
      plural: 'roles',
      namespaced: true,
      columns: [column('Created At', (o) => stringAt(objectAt(o, 'metadata'), 'creationTimestamp') ?? '')],
    }),
    defineKind({
      group: rbacGroup,
      version: 'v1',
      kind: 'ClusterRole',
      plural: 'clusterroles',
      namespaced: false,
      columns: [column('Created At', (o) => stringAt(objectAt(o, 'metadata'), 'creationTimestamp') ?? '')],
    }),
    defineKind({
      group: rbacGroup,
      version: 'v1',
      kind: 'RoleBinding',
      plural: 'rolebindings',
      namespaced: true,
      columns: [roleRef, ageColumn],
    }),
    defineKind({
      group: rbacGroup,
      version: 'v1',
      kind: 'ClusterRoleBinding',
      plural: 'clusterrolebindings',
      namespaced: false,
      columns: [roleRef, ageColumn],
    }),
  ];
}

// Paths every authenticated user may read (the default system:discovery and system:public-info-viewer roles).
const discoveryPaths = [
  /^\/api(\/|$)/,
  /^\/apis(\/|$)/,
  /^\/openapi(\/|$)/,
  /^\/version\/?$/,
  /^\/(healthz|livez|readyz)(\/|$)/,
];

function subjectMatches(subject: unknown, attrs: RequestAttributes): boolean {
  const kind = stringAt(subject, 'kind');
  const name = stringAt(subject, 'name') ?? '';
  if (kind === 'User') return attrs.user.name === name;
  if (kind === 'Group') return attrs.user.groups.includes(name);
  if (kind === 'ServiceAccount')
    return attrs.user.name === `system:serviceaccount:${stringAt(subject, 'namespace') ?? ''}:${name}`;
  return false;
}

function has(list: unknown[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

function ruleAllows(rule: unknown, attrs: RequestAttributes): boolean {
  if (!isObject(rule)) return false;
  const verbs = arrayAt(rule, 'verbs');
  if (!has(verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) {
    return arrayAt(rule, 'nonResourceURLs').some(
      (u) =>
        u === '*' ||
        u === attrs.path ||
        (typeof u === 'string' && u.endsWith('*') && attrs.path.startsWith(u.slice(0, -1))),
    );
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resources = arrayAt(rule, 'resources');
  const resourceOk =
    has(resources, resource) ||
    (attrs.subresource !== undefined && resources.includes(`${attrs.resource}/*`)) ||
    resources.includes(`*/${attrs.subresource ?? ''}`);
  const names = arrayAt(rule, 'resourceNames');
  return (
    has(arrayAt(rule, 'apiGroups'), attrs.group) &&
    resourceOk &&
    (names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name)))
  );
}

/**
 * An RBAC authorizer over the Role, ClusterRole, RoleBinding and ClusterRoleBinding objects in the
 * store, as the real RBAC authorizer evaluates them: `system:masters` may do anything; otherwise
 * a request is allowed when a rule bound to the user (by User, Group or ServiceAccount subject)
 * matches its verb, API group, resource (or `resource/subresource`) and, if listed, name. Discovery
 * paths are open to every user. There are no deny rules, as in Kubernetes.
 */
export function rbacAuthorizer(store: ObjectStore): Authorizer {
  const rolesFor = (attrs: RequestAttributes): JsonObject[] => {
    const roles: JsonObject[] = [];
    const lookup = (ref: JsonObject, ns: string | undefined) => {
      const name = stringAt(ref, 'name') ?? '';
      const role =
        stringAt(ref, 'kind') === 'ClusterRole'
          ? store.get(`${rbacGroup}/clusterroles`, undefined, name)
          : store.get(`${rbacGroup}/roles`, ns, name);
      if (role !== undefined) roles.push(role);
    };
    for (const b of store.list(`${rbacGroup}/clusterrolebindings`)) {
      if (arrayAt(b, 'subjects').some((s) => subjectMatches(s, attrs))) lookup(objectAt(b, 'roleRef'), undefined);
    }
    if (attrs.namespace !== undefined) {
      for (const b of store.list(`${rbacGroup}/rolebindings`, attrs.namespace)) {
        if (arrayAt(b, 'subjects').some((s) => subjectMatches(s, attrs)))
          lookup(objectAt(b, 'roleRef'), attrs.namespace);
      }
    }
    return roles;
  };
  return (attrs) => {
    if (attrs.user.groups.includes('system:masters')) return true;
    if (!attrs.resourceRequest && attrs.verb === 'get' && discoveryPaths.some((re) => re.test(attrs.path))) return true;
    const allowed = rolesFor(attrs).some((role) => arrayAt(role, 'rules').some((r) => ruleAllows(r, attrs)));
    return allowed ? true : '';
  };
}
