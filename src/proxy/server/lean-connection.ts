import { STATUS_CODES } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type { LeanRequest } from './lean-request.ts';
import { readLeanRequest } from './lean-request.ts';
import type { ReplyTarget } from './local-reply.ts';

/**
 * The client-side fast path for plaintext HTTP/1.1. Node's HTTP server builds an IncomingMessage,
 * a ServerResponse and their streams for every request; on the proxy's hot path that cost more CPU
 * than everything else the proxy does (a raw-socket relay serves about twice the requests per
 * second). A LeanConnection reads plain, complete, bodiless request heads itself
 * (lean-request.ts), lets the listener route them, and writes responses straight to the socket.
 *
 * Whatever it does not read — a head split across reads, a body, an upgrade, HTTP/1.0, a
 * duplicate or malformed header, an oversized head — and any request the listener declines (a
 * route that needs Node's client), hands the connection to Node's HTTP server for good, with the
 * unread bytes put back. From then on the connection is served exactly as without this path, so
 * all parsing errors, limits and timeouts stay Node's (llhttp's) and the hardening tests apply.
 */

export interface LeanHandler {
  /** Routes and answers one request through `res`; `false` declines it (nothing was written). */
  request(req: LeanRequest, res: LeanResponse): boolean;
  /** Serves the connection with Node's HTTP server from here on; `pending` was read but not used. */
  handOff(socket: net.Socket, pending: Buffer | undefined): void;
}

export interface LeanOptions {
  /** Heads longer than this go to Node's server (which answers 431). */
  readonly maxHeadBytes: number;
  /** Idle keep-alive connections close after this long (0 = never). */
  readonly keepAliveMs: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

let dateSecond = -1;
let dateText = '';
/** The `Date` header, formatted once per second as Node's server does. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

export class LeanConnection {
  readonly #socket: net.Socket;
  readonly #handler: LeanHandler;
  readonly #options: LeanOptions;
  #pending: Buffer | undefined;
  #current: LeanResponse | undefined;
  #handedOff = false;
  #closing = false;
  /** The client half-closed: answer what it sent, then close. */
  #readEnded = false;
  readonly #onData = (d: Buffer): void => this.#data(d);

  constructor(socket: net.Socket, handler: LeanHandler, options: LeanOptions) {
    this.#socket = socket;
    this.#handler = handler;
    this.#options = options;
    socket.on('data', this.#onData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#current?.clientClosed());
    // The listening socket allows half-open connections: a client that sends its request and then
    // shuts down its side still gets the response (Node's server would drop it).
    socket.on('end', () => {
      if (this.#handedOff) return;
      this.#readEnded = true;
      if (this.#current === undefined) {
        if (this.#pending === undefined) socket.end();
        else this.#next();
      }
    });
    socket.on('drain', () => this.#current?.drained());
    // Armed once: socket activity restarts it, and while a request is running a timeout is ignored
    // (the upstream side has its own), so writing the response starts the idle period afresh.
    socket.on('timeout', () => {
      if (this.#current === undefined) socket.destroy();
    });
    socket.setTimeout(options.keepAliveMs);
  }

  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Closes the connection now if idle, else once the running response is written. */
  close(): void {
    this.#closing = true;
    if (this.#current === undefined && !this.#handedOff) this.#socket.end();
  }

  /** Closes the connection at once (the end of a drain period). */
  destroy(): void {
    if (!this.#handedOff) this.#socket.destroy();
  }

  #data(d: Buffer): void {
    this.#pending = this.#pending === undefined ? d : Buffer.concat([this.#pending, d]);
    if (this.#current === undefined) this.#next();
    else if (this.#pending.length > this.#options.maxHeadBytes) this.#socket.pause(); // pipelined too far ahead
  }

  /** Serves the next complete request in the buffer, or hands off what cannot be served here. */
  #next(): void {
    const buf = this.#pending;
    // One request at a time: a pipelined one waits for the response before it (see #finished).
    if (buf === undefined || this.#closing || this.#current !== undefined) return;
    const end = buf.indexOf(CRLFCRLF);
    if (end === -1 && this.#readEnded) {
      this.#socket.end(); // a head cut short by the client's shutdown: nothing to answer
      return;
    }
    if (end === -1 || end + 4 > this.#options.maxHeadBytes) {
      this.#handOff();
      return;
    }
    const req = readLeanRequest(buf.toString('latin1', 0, end));
    if (req === undefined) {
      this.#handOff();
      return;
    }
    const rest = end + 4 === buf.length ? undefined : buf.subarray(end + 4);
    const res = new LeanResponse(this.#socket, req, this.#options.keepAliveMs, () => this.#finished(res));
    this.#current = res;
    this.#pending = rest;
    let taken: boolean;
    try {
      taken = this.#handler.request(req, res);
    } catch (e: unknown) {
      this.#current = undefined;
      this.#socket.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (!taken) {
      this.#current = undefined;
      this.#pending = buf;
      this.#handOff();
    }
  }

  #finished(res: LeanResponse): void {
    if (this.#current !== res) return;
    this.#current = undefined;
    if (res.closeAfter || this.#closing || (this.#readEnded && this.#pending === undefined)) {
      this.#socket.end();
      return;
    }
    if (this.#socket.isPaused()) this.#socket.resume();
    // A pipelined request: serve it once the call stack that finished this one (the upstream
    // connection's completion) has unwound and that connection is back in its pool.
    if (this.#pending !== undefined) setImmediate(() => this.#next());
  }

  #handOff(): void {
    if (this.#handedOff) return;
    this.#handedOff = true;
    const socket = this.#socket;
    socket.removeListener('data', this.#onData);
    socket.removeAllListeners('timeout');
    socket.setTimeout(0);
    socket.pause();
    this.#handler.handOff(socket, this.#pending);
    this.#pending = undefined;
  }
}

/**
 * The response side for one request: what forwardLean and sendLocalReply write through (the
 * ReplyTarget subset of ServerResponse), serialised as Node's server would for a keep-alive
 * HTTP/1.1 response — `Date` when missing, `Connection`/`Keep-Alive`, Content-Length when the whole
 * body is known, chunked otherwise — and written with as few socket writes as possible.
 */
export class LeanResponse implements ReplyTarget {
  readonly #socket: net.Socket;
  readonly #head: boolean;
  readonly #keepAliveMs: number;
  readonly #onFinish: () => void;
  #status = 200;
  #headers: OutgoingHttpHeaders = {};
  #headersSent = false;
  #chunked = false;
  #noBody = false;
  #ended = false;
  #trailers: OutgoingHttpHeaders | undefined;
  #closeListeners: Array<() => void> = [];
  #drainListeners: Array<() => void> = [];
  closeAfter: boolean;

  constructor(socket: net.Socket, req: LeanRequest, keepAliveMs: number, onFinish: () => void) {
    this.#socket = socket;
    this.#head = req.method === 'HEAD';
    this.closeAfter = req.close;
    this.#keepAliveMs = keepAliveMs;
    this.#onFinish = onFinish;
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get writable(): boolean {
    return !this.#ended && !this.#socket.destroyed;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): this {
    this.#status = status;
    this.#headers = headers;
    return this;
  }

  write(chunk: Buffer): boolean {
    if (!this.#headersSent) this.#socket.write(this.#serialiseHead(undefined), 'latin1');
    if (this.#noBody || chunk.length === 0) return true;
    if (!this.#chunked) return this.#socket.write(chunk);
    this.#socket.cork();
    this.#socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
    this.#socket.write(chunk);
    const ok = this.#socket.write('\r\n', 'latin1');
    this.#socket.uncork();
    return ok;
  }

  end(body?: Buffer): this {
    if (this.#ended) return this;
    this.#ended = true;
    if (!this.#headersSent) {
      const head = this.#serialiseHead(body?.length ?? 0);
      if (body === undefined || body.length === 0 || this.#noBody) this.#socket.write(head, 'latin1');
      else {
        const headLength = Buffer.byteLength(head, 'latin1');
        const out = Buffer.allocUnsafe(headLength + body.length);
        out.write(head, 0, 'latin1');
        body.copy(out, headLength);
        this.#socket.write(out);
      }
    } else {
      if (body !== undefined && body.length > 0) this.write(body);
      if (this.#chunked) this.#socket.write(`0\r\n${this.#trailerLines()}\r\n`, 'latin1');
    }
    this.#closeListeners = [];
    this.#drainListeners = [];
    this.#onFinish();
    return this;
  }

  addTrailers(trailers: OutgoingHttpHeaders): void {
    this.#trailers = trailers;
  }

  destroy(error?: Error): this {
    this.#ended = true;
    this.#socket.destroy(error);
    return this;
  }

  once(event: 'close' | 'drain', listener: () => void): this {
    (event === 'close' ? this.#closeListeners : this.#drainListeners).push(listener);
    return this;
  }

  /** The client went away before the response was complete. */
  clientClosed(): void {
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const l of listeners) l();
  }

  drained(): void {
    const listeners = this.#drainListeners;
    this.#drainListeners = [];
    for (const l of listeners) l();
  }

  /** The status line and headers; `wholeBody` is the body's length when `end` brings all of it. */
  #serialiseHead(wholeBody: number | undefined): string {
    this.#headersSent = true;
    const status = this.#status;
    const h = this.#headers;
    this.#noBody = this.#head || status === 204 || status === 304 || (status >= 100 && status < 200);
    let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    let hasDate = false;
    let hasLength = false;
    for (const key in h) {
      const v = h[key];
      if (v === undefined) continue;
      if (key === 'date') hasDate = true;
      else if (key === 'content-length') hasLength = true;
      else if (key === 'connection') {
        if (String(v).toLowerCase() === 'close') this.closeAfter = true;
        continue;
      } else if (key === 'transfer-encoding' || key === 'keep-alive') continue;
      if (Array.isArray(v)) for (const x of v) out += `${key}: ${x}\r\n`;
      else out += `${key}: ${v}\r\n`;
    }
    if (!hasDate) out += `Date: ${httpDate()}\r\n`;
    if (this.closeAfter) out += 'Connection: close\r\n';
    else {
      out += 'Connection: keep-alive\r\n';
      if (this.#keepAliveMs > 0) out += `Keep-Alive: timeout=${Math.floor(this.#keepAliveMs / 1000)}\r\n`;
    }
    // No framing for bodiless statuses, nor for HEAD: its Content-Length (if any) is the upstream's.
    if (!hasLength && !this.#noBody) {
      if (wholeBody !== undefined) out += `Content-Length: ${wholeBody}\r\n`;
      else {
        this.#chunked = true;
        out += 'Transfer-Encoding: chunked\r\n';
      }
    }
    return `${out}\r\n`;
  }

  #trailerLines(): string {
    let out = '';
    for (const key in this.#trailers) {
      const v = this.#trailers[key];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) out += `${key}: ${x}\r\n`;
      else out += `${key}: ${v}\r\n`;
    }
    return out;
  }
}
