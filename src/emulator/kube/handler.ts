import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from './json.ts';
import { isObject, objectAt } from './json.ts';
import type { Operations } from './operations.ts';
import type { Patcher } from './patcher.ts';
import type { Registry, ResourceKind } from './registry.ts';
import type { RequestInfo } from './request.ts';
import type { WatchHub } from './watch.ts';
import { ApiError, badRequest, methodNotAllowed } from './status.ts';
import { decodeBody, readBody } from './body.ts';
import { tableContentType, toTable, wantsTable } from './table.ts';

/** Everything a resource request needs. */
export interface HandlerContext {
  readonly registry: Registry;
  readonly ops: Operations;
  readonly patcher: Patcher;
  readonly watches: WatchHub;
}

/** Writes a JSON reply. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The 404 for a path that names no resource, worded as the real server words it. */
export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function dryRun(q: URLSearchParams): boolean {
  const v = q.get('dryRun');
  if (v === null) return false;
  if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return true;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

function listKind(kind: ResourceKind): string {
  return `${kind.kind}List`;
}

/** Serves one resource request: CRUD, list, watch, patch, status, deletecollection. */
export async function handleResource(
  ctx: HandlerContext,
  info: RequestInfo,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const kind = ctx.registry.lookup(info.group, info.version, info.resource ?? '');
  if (kind === undefined) throw notFoundPath();
  if (info.subresource !== undefined && !(info.subresource === 'status' && kind.statusSubresource)) {
    if (!(kind.storage === '/namespaces' && info.subresource === 'finalize')) throw notFoundPath();
  }
  if (!kind.namespaced && info.namespace !== undefined) throw notFoundPath();
  const ns = kind.namespaced ? info.namespace : undefined;
  const { ops } = ctx;
  const accept = req.headers.accept;
  const name = info.name ?? '';
  const write = { dryRun: false, fieldManager: query.get('fieldManager') ?? undefined };

  switch (info.verb) {
    case 'get': {
      const obj = ops.get(kind, ns, name);
      if (wantsTable(accept)) {
        sendJson(
          res,
          200,
          toTable(
            kind,
            [obj],
            { resourceVersion: String(ops.store.resourceVersion) },
            ops.now(),
            query.get('includeObject'),
          ),
          tableContentType,
        );
      } else sendJson(res, 200, obj);
      return;
    }
    case 'list': {
      const result = ops.list(kind, ns, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
        limit: intParam(query, 'limit'),
        continue: query.get('continue'),
      });
      const metadata: JsonObject = { resourceVersion: result.resourceVersion };
      if (result.continue !== undefined) {
        metadata['continue'] = result.continue;
        metadata['remainingItemCount'] = result.remainingItemCount;
      }
      if (wantsTable(accept)) {
        sendJson(
          res,
          200,
          toTable(kind, result.items, metadata, ops.now(), query.get('includeObject')),
          tableContentType,
        );
      } else {
        const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
        sendJson(res, 200, { kind: listKind(kind), apiVersion, metadata, items: result.items });
      }
      return;
    }
    case 'watch': {
      const match = ops.matcher(kind, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      ctx.watches.serve(
        {
          kind,
          namespace: ns,
          match,
          resourceVersion: query.get('resourceVersion') ?? undefined,
          sendInitialEvents: query.get('sendInitialEvents') === 'true',
          allowBookmarks: query.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: intParam(query, 'timeoutSeconds'),
          table: wantsTable(accept) ? { includeObject: query.get('includeObject') } : undefined,
        },
        res,
      );
      return;
    }
    default:
      break;
  }

  const body = decodeBody(await readBody(req), req.headers['content-type']);
  const opts = { ...write, dryRun: dryRun(query) };
  switch (info.verb) {
    case 'create': {
      if (info.name !== undefined)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      sendJson(res, 201, ops.create(kind, ns, body, opts));
      return;
    }
    case 'update': {
      const obj =
        info.subresource === 'status' || info.subresource === 'finalize'
          ? info.subresource === 'status'
            ? ops.updateStatus(kind, ns, name, body, opts)
            : ops.update(kind, ns, name, body, opts)
          : ops.update(kind, ns, name, body, opts);
      sendJson(res, 200, obj);
      return;
    }
    case 'patch': {
      const { object, created } = ctx.patcher.patch(kind, ns, name, req.headers['content-type'] ?? '', body, {
        ...opts,
        subresource: info.subresource === 'status' ? 'status' : undefined,
        force: query.get('force') === 'true',
      });
      sendJson(res, created ? 201 : 200, object);
      return;
    }
    case 'delete': {
      const options = isObject(body) ? body : {};
      const pre = objectAt(options, 'preconditions');
      const bodyDryRun = Array.isArray(options['dryRun']) && options['dryRun'].includes('All');
      const result = ops.delete(kind, ns, name, {
        ...opts,
        dryRun: opts.dryRun || bodyDryRun,
        preconditions: {
          uid: typeof pre['uid'] === 'string' ? pre['uid'] : undefined,
          resourceVersion: typeof pre['resourceVersion'] === 'string' ? pre['resourceVersion'] : undefined,
        },
      });
      sendJson(res, 200, result);
      return;
    }
    case 'deletecollection': {
      const listed = ops.list(kind, ns, {
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      const items: JsonObject[] = [];
      for (const o of listed.items) {
        const meta = objectAt(o, 'metadata');
        const r = ops.delete(
          kind,
          typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined,
          String(meta['name']),
          opts,
        );
        items.push(r['kind'] === 'Status' ? o : r);
      }
      const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
      sendJson(res, 200, {
        kind: listKind(kind),
        apiVersion,
        metadata: { resourceVersion: String(ops.store.resourceVersion) },
        items,
      });
      return;
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}
