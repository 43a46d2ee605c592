import net from 'node:net';
import { ResponseParseError, ResponseParser } from './h1-response.ts';
import type { ResponseHead } from './h1-response.ts';

/**
 * A lean HTTP/1.1 client for bodiless requests to plaintext targets: one pool of keep-alive
 * sockets per target, the request head written as one string, the response parsed by
 * ResponseParser. Node's `http.request` allocates a ClientRequest, an IncomingMessage and several
 * streams per request; on the proxy's hot path that costs as much as the whole downstream side, so
 * the common case (GET/HEAD/DELETE/OPTIONS without a body) takes this path and everything else
 * (request bodies, TLS targets, upgrades) keeps using Node's client.
 */

export interface ExchangeHandler {
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
  end(): void;
  /** `beforeResponse`: no response byte arrived, so a reused socket may simply have gone stale. */
  error(e: Error, beforeResponse: boolean): void;
}

export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

/** One socket to one target, carrying one exchange at a time. */
class Connection {
  readonly socket: net.Socket;
  private readonly pool: H1Pool;
  readonly key: string;
  private handler: ExchangeHandler | undefined;
  private parser: ResponseParser | undefined;
  private gotBytes = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private keepAlive = false;
  /** The socket's inactivity timeout now: set only when it changes (each change allocates a timer). */
  private timeoutMs = -1;

  constructor(pool: H1Pool, key: string, host: string, port: number, connectTimeoutMs: number) {
    this.pool = pool;
    this.key = key;
    this.socket = net.connect({ host, port, noDelay: true });
    this.connectTimer = setTimeout(() => this.fail(new UpstreamTimeoutError('connect timeout')), connectTimeoutMs);
    this.socket.once('connect', () => {
      if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    });
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e: Error) => this.fail(e));
    this.socket.on('close', () => this.onClose());
    this.socket.on('timeout', () => {
      if (this.handler === undefined) this.socket.destroy();
      else this.fail(new UpstreamTimeoutError('stream idle timeout'));
    });
  }

  get busy(): boolean {
    return this.handler !== undefined;
  }

  /** Sends one request; `idleMs` bounds silence while it is outstanding (0 = none). */
  send(head: string, noBody: boolean, idleMs: number, handler: ExchangeHandler): void {
    this.handler = handler;
    this.gotBytes = false;
    this.parser = new ResponseParser(
      {
        head: (h) => {
          this.keepAlive = h.keepAlive;
          handler.head(h);
        },
        body: (c) => handler.body(c),
        end: () => this.complete(),
      },
      noBody,
    );
    this.setIdle(idleMs);
    this.socket.write(head, 'latin1');
  }

  private onData(d: Buffer): void {
    const parser = this.parser;
    if (parser === undefined) {
      // Bytes on an idle connection: the target is confused; never reuse it.
      this.socket.destroy();
      return;
    }
    this.gotBytes = true;
    try {
      parser.feed(d);
    } catch (e: unknown) {
      this.fail(e instanceof Error ? e : new ResponseParseError(String(e)));
    }
  }

  private complete(): void {
    const handler = this.handler;
    this.handler = undefined;
    this.parser = undefined;
    handler?.end();
    if (this.keepAlive && !this.socket.destroyed) this.pool.release(this);
    else this.socket.destroy();
  }

  private onClose(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.pool.forget(this);
    const parser = this.parser;
    if (parser === undefined || this.handler === undefined) return;
    if (parser.closeDelimited) {
      try {
        parser.finish();
      } catch (e: unknown) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      }
      return;
    }
    this.fail(new ResponseParseError('connection closed before the response was complete'));
  }

  fail(e: Error): void {
    const handler = this.handler;
    this.handler = undefined;
    this.parser = undefined;
    this.socket.destroy();
    handler?.error(e, !this.gotBytes);
  }

  /** Keeps an idle connection for at most `ms`. */
  idle(ms: number): void {
    this.setIdle(ms);
  }

  private setIdle(ms: number): void {
    if (ms === this.timeoutMs) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }
}

/** Control over one running exchange. */
export interface ExchangeHandle {
  readonly reused: boolean;
  /** Ends the exchange with an error (and closes its connection). */
  abort(e: Error): void;
  pause(): void;
  resume(): void;
}

export class H1Pool {
  private readonly idleByTarget = new Map<string, Connection[]>();
  private readonly all = new Set<Connection>();
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private closed = false;

  constructor(connectTimeoutMs: number, idleTimeoutMs: number) {
    this.connectTimeoutMs = connectTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** Runs one exchange on an idle connection to the target, or a new one (`fresh` forces a new one). */
  exchange(
    key: string,
    host: string,
    port: number,
    head: string,
    noBody: boolean,
    idleMs: number,
    handler: ExchangeHandler,
    fresh = false,
  ): ExchangeHandle {
    const list = this.idleByTarget.get(key);
    let conn = fresh ? undefined : list?.pop();
    while (conn !== undefined && conn.socket.destroyed) conn = list?.pop();
    const reused = conn !== undefined;
    if (conn === undefined) {
      conn = new Connection(this, key, host, port, this.connectTimeoutMs);
      this.all.add(conn);
    }
    const c = conn;
    c.send(head, noBody, idleMs, handler);
    return {
      reused,
      abort: (e) => c.fail(e),
      pause: () => c.socket.pause(),
      resume: () => c.socket.resume(),
    };
  }

  /** Called by a connection that finished an exchange and may carry another. */
  release(conn: Connection): void {
    if (this.closed) {
      conn.socket.destroy();
      return;
    }
    conn.idle(this.idleTimeoutMs);
    let list = this.idleByTarget.get(conn.key);
    if (list === undefined) this.idleByTarget.set(conn.key, (list = []));
    list.push(conn);
  }

  forget(conn: Connection): void {
    this.all.delete(conn);
    const list = this.idleByTarget.get(conn.key);
    if (list === undefined) return;
    const i = list.indexOf(conn);
    if (i !== -1) list.splice(i, 1);
  }

  /** Closes idle connections now and busy ones when their exchange ends. */
  close(): void {
    this.closed = true;
    for (const list of this.idleByTarget.values()) for (const c of list) c.socket.destroy();
    this.idleByTarget.clear();
  }
}
