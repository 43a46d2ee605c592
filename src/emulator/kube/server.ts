import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from './json.ts';
import { Registry } from './registry.ts';
import { builtinKinds } from './builtins.ts';
import { kindsFromCrd } from './crds.ts';
import { ObjectStore } from './store.ts';
import { Operations, metaOf } from './operations.ts';
import { Patcher } from './patcher.ts';
import { WatchHub } from './watch.ts';
import { Faults } from './faults.ts';
import { ObjectApi } from './object-api.ts';
import { parseRequestInfo } from './request.ts';
import type { RequestInfo } from './request.ts';
import { handleResource, notFoundPath, sendJson } from './handler.ts';
import type { HandlerContext } from './handler.ts';
import { ApiError } from './status.ts';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.ts';
import { openApiGroupVersion, openApiRoot } from './openapi.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import type { Authorizer, UserInfo } from './auth.ts';
import { allowAll, authenticate, forbiddenFor } from './auth.ts';
import { rbacAuthorizer, rbacKinds } from './rbac.ts';

/** How to start the server. */
export interface KubeApiServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** PEM certificate and key to serve HTTPS; `ca` goes into the kubeconfig. Plain HTTP when absent. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /** Objects created at start, after the namespaces (any served kind, in order). */
  readonly seed?: readonly JsonObject[];
  /** Namespaces created at start. @default ['default', 'kube-system'] */
  readonly namespaces?: readonly string[];
  /** Changes kept for watch resume; older resourceVersions get 410 Gone. @default 10000 */
  readonly historySize?: number;
  /** Bearer tokens and their users; when absent every request is the admin user. */
  readonly tokens?: Readonly<Record<string, UserInfo>>;
  /** Decides each request; see auth.ts. @default allow everything (or RBAC when `rbac` is set) */
  readonly authorizer?: Authorizer;
  /**
   * Enforce RBAC from the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store, for
   * users other than `system:masters` (impersonated or by token). @default false
   */
  readonly rbac?: boolean;
  /** Clock for timestamps and AGE columns. @default Date.now */
  readonly clock?: () => number;
}

/** A running server. */
export interface KubeApiServer {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** A kubeconfig (YAML) for this server; `token` picks a user when tokens are configured. */
  kubeconfig(opts?: { token?: string }): string;
  /** Test hooks: close/stall watches, compact history, fail or delay requests. */
  readonly faults: Faults;
  /** Direct object access with the API's semantics. */
  readonly store: ObjectApi;
  readonly registry: Registry;
  /** Ends all watches and connections and stops listening. */
  close(): Promise<void>;
  /**
   * Stops listening and drops every watch and connection but keeps the objects, like an API server
   * process going down while etcd stays up; `resume()` listens again on the same port.
   */
  pause(): Promise<void>;
  /**
   * Listens again after `pause()`. The change history is compacted, as a restarted server's watch
   * cache starts at the current revision: watches resuming from before get 410 Gone and relist.
   */
  resume(): Promise<void>;
}

const crdStorage = 'apiextensions.k8s.io/customresourcedefinitions';

/** Keeps the registry in step with the CRDs in the store; a deleted CRD takes its objects along. */
function syncCrds(registry: Registry, store: ObjectStore): void {
  store.subscribe((c) => {
    if (c.storage !== crdStorage) return;
    for (const k of c.previous ? kindsFromCrd(c.previous) : []) registry.remove(k.group, k.version, k.plural);
    if (c.type !== 'DELETED') {
      for (const k of kindsFromCrd(c.object)) registry.add(k);
      return;
    }
    const gone = kindsFromCrd(c.object)[0];
    if (gone === undefined) return;
    for (const obj of store.list(gone.storage)) {
      const final = structuredClone(obj);
      metaOf(final)['resourceVersion'] = String(store.nextRevision());
      store.remove(gone.storage, final);
    }
    store.dropBucket(gone.storage);
  });
}

function sendError(res: ServerResponse, e: unknown): void {
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, err.toStatus());
}

function nonResource(
  registry: Registry,
  info: RequestInfo,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  address: string,
): void {
  const p = info.path.replace(/\/+$/, '') || '/';
  const accept = req.headers.accept;
  if (p === '/version') {
    sendJson(res, 200, {
      major: '1',
      minor: '35',
      gitVersion: 'v1.35.0-portico',
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '2026-01-01T00:00:00Z',
      goVersion: 'go1.25',
      compiler: 'gc',
      platform: `${process.platform}/${process.arch}`,
    });
    return;
  }
  if (p === '/healthz' || p === '/livez' || p === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (p === '/api' || p === '/apis') {
    if (wantsAggregated(accept)) sendJson(res, 200, aggregatedDiscovery(registry, p === '/api'), aggregatedContentType);
    else sendJson(res, 200, p === '/api' ? apiVersions(address) : apiGroupList(registry));
    return;
  }
  const segs = p.split('/').filter((s) => s !== '');
  if (segs[0] === 'apis' && segs.length === 2) {
    const g = apiGroup(registry, segs[1] ?? '');
    if (g === undefined) throw notFoundPath();
    sendJson(res, 200, g);
    return;
  }
  if ((segs[0] === 'api' && segs.length === 2) || (segs[0] === 'apis' && segs.length === 3)) {
    const group = segs[0] === 'api' ? '' : (segs[1] ?? '');
    const version = segs[segs.length - 1] ?? '';
    if (registry.kindsIn(group, version).length === 0) throw notFoundPath();
    sendJson(res, 200, apiResourceList(registry, group, version));
    return;
  }
  if (p === '/openapi/v3') {
    sendJson(res, 200, openApiRoot(registry));
    return;
  }
  if (segs[0] === 'openapi' && segs[1] === 'v3') {
    const group = segs[2] === 'api' ? '' : (segs[3] ?? '');
    const version = segs[segs.length - 1] ?? '';
    const doc = openApiGroupVersion(registry, group, version);
    if (doc === undefined) throw notFoundPath();
    // The hash in the URL makes the document immutable, so kubectl may cache it.
    res.setHeader('Cache-Control', query.has('hash') ? 'public, immutable' : 'no-cache, private');
    sendJson(res, 200, doc);
    return;
  }
  throw notFoundPath();
}

/**
 * Starts the embedded Kubernetes API server: an in-memory store behind the real API's URLs,
 * discovery, OpenAPI v3 (minimal), Table output, watch, patch and the status subresource — enough
 * for a current kubectl and @kubernetes/client-node. See docs/kube-api.md.
 */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const registry = new Registry([...builtinKinds(), ...rbacKinds()]);
  const store = new ObjectStore(options.historySize ?? 10_000);
  syncCrds(registry, store);
  const ops = new Operations(registry, store, options.clock ?? Date.now);
  const patcher = new Patcher(ops);
  const watches = new WatchHub(ops);
  const faults = new Faults(watches, store);
  const api = new ObjectApi(ops, patcher);
  const ctx: HandlerContext = { registry, ops, patcher, watches };
  const authorizer = options.authorizer ?? (options.rbac ? rbacAuthorizer(store) : allowAll);
  const tokens = options.tokens === undefined ? undefined : new Map(Object.entries(options.tokens));
  const host = options.host ?? '127.0.0.1';
  let address = host;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Resolved as a path, never as a URL of its own: `//host/…` must not become an authority (and a
    // target like `//%20/api` must not throw outside the try below, which would end the process).
    const url = URL.parse(`http://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
    if (url === null) {
      sendError(res, new ApiError(400, 'BadRequest', `invalid request target: ${JSON.stringify(req.url)}`));
      return;
    }
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    try {
      const fr = { verb: info.verb, resource: info.resource, subresource: info.subresource, namespace: info.namespace };
      const delay = faults.delayFor(fr);
      if (delay > 0) await sleep(delay);
      const failure = faults.failureFor(fr);
      if (failure !== undefined) throw failure;
      const user = authenticate(req, tokens, authorizer);
      const attrs = {
        user,
        verb: info.resourceRequest ? info.verb : (req.method ?? 'GET').toLowerCase(),
        resourceRequest: info.resourceRequest,
        group: info.group,
        resource: info.resource ?? '',
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
        path: info.path,
      };
      const verdict = authorizer(attrs);
      if (verdict !== true) throw forbiddenFor(attrs, verdict);
      if (info.resourceRequest) await handleResource(ctx, info, url.searchParams, req, res);
      else nonResource(registry, info, url.searchParams, req, res, address);
    } catch (e: unknown) {
      sendError(res, e);
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 65_000;

  for (const ns of options.namespaces ?? ['default', 'kube-system']) {
    api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  for (const obj of options.seed ?? []) api.create(obj);

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = async () => {
    watches.closeAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  return {
    url,
    port,
    faults,
    store: api,
    registry,
    kubeconfig: (opts = {}) =>
      renderKubeconfig({
        server: url,
        ...(options.tls?.ca ? { caPem: options.tls.ca } : {}),
        ...(opts.token ? { token: opts.token } : {}),
      }),
    close: async () => {
      if (server.listening) await stop();
    },
    pause: async () => {
      if (server.listening) await stop();
    },
    resume: async () => {
      if (server.listening) return;
      store.compact();
      await listen(port);
    },
  };
}
