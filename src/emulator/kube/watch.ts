import type { ServerResponse } from 'node:http';
import type { JsonObject } from './json.ts';
import { objectAt, stringAt } from './json.ts';
import type { Operations } from './operations.ts';
import type { ResourceKind } from './registry.ts';
import type { Change } from './store.ts';
import { HistoryCompactedError } from './store.ts';
import { ApiError, badRequest } from './status.ts';
import { toTable } from './table.ts';

/** What a watch request asked for. */
export interface WatchRequest {
  readonly kind: ResourceKind;
  readonly namespace: string | undefined;
  readonly match: (o: JsonObject) => boolean;
  readonly resourceVersion: string | undefined;
  readonly sendInitialEvents: boolean;
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Set when the client asked for Table rows (`kubectl get -w`): the `includeObject` value. */
  readonly table: { includeObject: string | null } | undefined;
}

/** One open watch stream, as the fault injector sees it. */
interface OpenWatch {
  readonly kind: ResourceKind;
  stalled: boolean;
  readonly queued: string[];
  close(): void;
  flush(): void;
}

/**
 * Serves watch streams and keeps track of them, so tests can close them all (a clean end of
 * stream, as a real server does after its request timeout) or stall them (the connection stays
 * open and silent, events pile up until `resume`).
 */
export class WatchHub {
  private readonly open = new Set<OpenWatch>();
  private stallFilter: ((k: ResourceKind) => boolean) | undefined;
  private readonly ops: Operations;
  /** How often a BOOKMARK is sent to clients that allow them. @default 30000 */
  bookmarkIntervalMs = 30_000;

  constructor(ops: Operations) {
    this.ops = ops;
  }

  get count(): number {
    return this.open.size;
  }

  /** Ends every open watch stream cleanly; returns how many were closed. */
  closeAll(): number {
    const n = this.open.size;
    for (const w of [...this.open]) w.close();
    return n;
  }

  /** Makes open and future watches (optionally only of some resources) go silent until `resume()`. */
  stall(filter: (k: ResourceKind) => boolean = () => true): void {
    this.stallFilter = filter;
    for (const w of this.open) if (filter(w.kind)) w.stalled = true;
  }

  resume(): void {
    this.stallFilter = undefined;
    for (const w of this.open) {
      w.stalled = false;
      w.flush();
    }
  }

  serve(req: WatchRequest, res: ServerResponse): void {
    const { kind, namespace, match } = req;
    const ops = this.ops;
    const encode = (type: string, obj: JsonObject): string => {
      const object =
        req.table && type !== 'BOOKMARK' && type !== 'ERROR'
          ? toTable(
              kind,
              [obj],
              { resourceVersion: stringAt(objectAt(obj, 'metadata'), 'resourceVersion') },
              ops.now(),
              req.table.includeObject,
            )
          : obj;
      return `${JSON.stringify({ type, object })}\n`;
    };
    const inScope = (o: JsonObject) =>
      !kind.namespaced || namespace === undefined || stringAt(objectAt(o, 'metadata'), 'namespace') === namespace;

    let startRv: number | undefined;
    const rvText = req.resourceVersion;
    if (rvText !== undefined && rvText !== '' && rvText !== '0') {
      if (!/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a number`);
      startRv = Number(rvText);
    }
    // Everything below runs in one tick: the replay/initial list and the subscription cannot miss
    // or double a change between them.
    const lines: string[] = [];
    let expired = false;
    if (startRv !== undefined && !req.sendInitialEvents) {
      try {
        for (const c of ops.store.changesSince(startRv, kind.storage)) {
          const line = this.translate(c, kind, match, inScope, encode);
          if (line !== undefined) lines.push(line);
        }
      } catch (e: unknown) {
        if (!(e instanceof HistoryCompactedError)) throw e;
        expired = true;
        const status = new ApiError(410, 'Expired', `The resourceVersion for the provided watch is too old.`);
        lines.push(`${JSON.stringify({ type: 'ERROR', object: status.toStatus() })}\n`);
      }
    } else {
      for (const o of ops.store.list(kind.storage, kind.namespaced ? namespace : undefined)) {
        const v = ops.view(kind, o);
        if (match(v)) lines.push(encode('ADDED', v));
      }
      if (req.sendInitialEvents) {
        lines.push(this.bookmark(kind, String(ops.store.resourceVersion), true));
      }
    }

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const watch: OpenWatch = {
      kind,
      stalled: this.stallFilter?.(kind) ?? false,
      queued: [],
      close: () => cleanup(),
      flush: () => {
        if (watch.queued.length > 0) res.write(watch.queued.splice(0).join(''));
      },
    };
    const send = (line: string) => {
      if (watch.stalled) watch.queued.push(line);
      else res.write(line);
    };
    if (lines.length > 0) send(lines.join(''));
    if (expired) {
      res.end();
      return;
    }
    const unsubscribe = ops.store.subscribe((c) => {
      if (c.storage !== kind.storage) return;
      const line = this.translate(c, kind, match, inScope, encode);
      if (line !== undefined) send(line);
    });
    const timers: NodeJS.Timeout[] = [];
    if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
      timers.push(setTimeout(() => cleanup(), req.timeoutSeconds * 1000));
    }
    if (req.allowBookmarks) {
      const t = setInterval(
        () => send(this.bookmark(kind, String(ops.store.resourceVersion), false)),
        this.bookmarkIntervalMs,
      );
      t.unref();
      timers.push(t);
    }
    let done = false;
    const cleanup = () => {
      if (done) return;
      done = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.open.delete(watch);
      if (!res.writableEnded) res.end();
    };
    this.open.add(watch);
    res.on('close', cleanup);
  }

  private bookmark(kind: ResourceKind, rv: string, initialEnd: boolean): string {
    const metadata: JsonObject = { resourceVersion: rv };
    if (initialEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    const apiVersion = kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
    return `${JSON.stringify({ type: 'BOOKMARK', object: { kind: kind.kind, apiVersion, metadata } })}\n`;
  }

  /** Turns a stored change into this watcher's event: selector entry is ADDED, exit is DELETED. */
  private translate(
    c: Change,
    kind: ResourceKind,
    match: (o: JsonObject) => boolean,
    inScope: (o: JsonObject) => boolean,
    encode: (type: string, obj: JsonObject) => string,
  ): string | undefined {
    if (!inScope(c.object)) return undefined;
    const now = this.ops.view(kind, c.object);
    const nowMatches = match(now);
    if (c.type === 'DELETED') return nowMatches ? encode('DELETED', now) : undefined;
    if (c.type === 'ADDED') return nowMatches ? encode('ADDED', now) : undefined;
    const before = c.previous === undefined ? false : match(this.ops.view(kind, c.previous));
    if (nowMatches) return encode(before ? 'MODIFIED' : 'ADDED', now);
    return before ? encode('DELETED', now) : undefined;
  }
}
