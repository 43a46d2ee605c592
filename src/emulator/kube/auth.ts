import type { IncomingMessage } from 'node:http';
import { ApiError } from './status.ts';

/** Who is making a request. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** What is being asked, in the terms RBAC rules use. */
export interface RequestAttributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, or impersonate. */
  readonly verb: string;
  /** False for non-resource paths such as /version and discovery. */
  readonly resourceRequest: boolean;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly path: string;
}

/** Decides one request: `true` allows; a string denies with that reason. */
export type Authorizer = (attrs: RequestAttributes) => true | string;

/** The user every request is when no tokens are configured: a cluster admin. */
export const adminUser: UserInfo = { name: 'portico-admin', groups: ['system:masters', 'system:authenticated'] };

/**
 * Works out the user: a bearer token from `tokens` (when configured; an unknown token is 401),
 * otherwise the admin. `Impersonate-User`/`Impersonate-Group` then switch to another user, after
 * the authorizer allows the `impersonate` verb on `users` (and `groups`) for the caller.
 */
export function authenticate(
  req: IncomingMessage,
  tokens: ReadonlyMap<string, UserInfo> | undefined,
  authorize: Authorizer,
): UserInfo {
  let user = adminUser;
  if (tokens !== undefined) {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const found = token === undefined ? undefined : tokens.get(token);
    if (found === undefined) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    user = found;
  }
  const asUser = req.headers['impersonate-user'];
  if (typeof asUser === 'string' && asUser !== '') {
    const rawGroups = req.headers['impersonate-group'];
    const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups ? rawGroups.split(',') : []).map((g) => g.trim());
    const check = (resource: string, name: string) => {
      const verdict = authorize({
        user,
        verb: 'impersonate',
        resourceRequest: true,
        group: '',
        resource,
        subresource: undefined,
        namespace: undefined,
        name,
        path: req.url ?? '',
      });
      if (verdict !== true) {
        throw new ApiError(
          403,
          'Forbidden',
          `${resource} "${name}" is forbidden: User "${user.name}" cannot impersonate resource "${resource}" in API group "" at the cluster scope`,
        );
      }
    };
    check('users', asUser);
    for (const g of groups) check('groups', g);
    const sa = /^system:serviceaccount:([^:]+):/.exec(asUser);
    const implied = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1] ?? ''}`] : [];
    user = { name: asUser, groups: [...new Set([...groups, ...implied, 'system:authenticated'])] };
  }
  return user;
}

/** The authorizer used when none is given: everything is allowed. */
export const allowAll: Authorizer = () => true;

/** The 403 a denied request gets, worded as the real server words it. */
export function forbiddenFor(attrs: RequestAttributes, reason: string): ApiError {
  const resource = attrs.group === '' ? attrs.resource : `${attrs.resource}.${attrs.group}`;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const what = attrs.resourceRequest
    ? `${resource}${attrs.name ? ` "${attrs.name}"` : ''} is forbidden: User "${attrs.user.name}" cannot ${attrs.verb} resource "${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''}" in API group "${attrs.group}" ${scope}`
    : `forbidden: User "${attrs.user.name}" cannot ${attrs.verb} path "${attrs.path}"`;
  return new ApiError(403, 'Forbidden', reason ? `${what}: ${reason}` : what, {
    ...(attrs.name ? { name: attrs.name } : {}),
    group: attrs.group,
    kind: attrs.resource,
  });
}
