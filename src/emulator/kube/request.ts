/** What a URL asks for, in API terms (the real server's RequestInfo). */
export interface RequestInfo {
  readonly resourceRequest: boolean;
  readonly path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection (resource requests); the HTTP method in lower case otherwise. */
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string | undefined;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/**
 * Parses `/api/v1/...` and `/apis/<group>/<version>/...` into resource, namespace, name and
 * subresource. `namespaces/<n>/status` and `namespaces/<n>/finalize` are the Namespace's own
 * subresources, not a resource named "status" in namespace n.
 */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const lower = method.toLowerCase();
  const plain: RequestInfo = {
    resourceRequest: false,
    path: pathname,
    verb: lower,
    group: '',
    version: '',
    resource: undefined,
    subresource: undefined,
    namespace: undefined,
    name: undefined,
  };
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else {
    return plain;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let resource: string | undefined;
  let name: string | undefined;
  let subresource: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && ['status', 'finalize'].includes(rest[2] ?? ''))
  ) {
    [, namespace, resource, name, subresource] = rest;
  } else {
    [resource, name, subresource] = rest;
    if (resource === 'namespaces' && name !== undefined) namespace = undefined;
  }
  const isWatch = watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
  const verb =
    lower === 'get'
      ? isWatch
        ? 'watch'
        : name === undefined
          ? 'list'
          : 'get'
      : lower === 'post'
        ? 'create'
        : lower === 'put'
          ? 'update'
          : lower === 'patch'
            ? 'patch'
            : lower === 'delete'
              ? name === undefined
                ? 'deletecollection'
                : 'delete'
              : lower;
  return { resourceRequest: true, path: pathname, verb, group, version, resource, subresource, namespace, name };
}
