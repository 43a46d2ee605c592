import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { FilterChainConfig, ListenerConfig } from '../config/listener.ts';
import { ConnectionContext, normalizeAddress } from './context.ts';
import type { ConfigView, ListenerState } from './context.ts';
import { decide } from './decide.ts';
import type { Decision, IncomingLike } from './decide.ts';
import { forward } from './forward.ts';
import { forwardLean, leanTarget } from './forward-lean.ts';
import { LeanConnection } from './lean-connection.ts';
import type { LeanResponse } from './lean-connection.ts';
import type { LeanRequest } from './lean-request.ts';
import { sendLocalReply, writeRawReply } from './local-reply.ts';
import type { ReplyTarget } from './local-reply.ts';
import { handleUpgrade } from './upgrade.ts';
import { chainForCertificate, secureContextOptions, selectChain } from './chains.ts';

type Forward = Extract<Decision, { kind: 'forward' }>;

const CONTEXT = Symbol('portico.context');
type WithContext = { [CONTEXT]?: ConnectionContext };

/** Proxy-wide limits that Envoy sets outside the listener (overload manager, runtime). */
export interface ListenerLimits {
  /** Connections per listener beyond which new ones are closed at once. @default 10000 */
  readonly maxConnections: number;
  /** Default time to receive request headers when the HCM sets none. @default 60000 */
  readonly headersTimeoutMs: number;
  /** How long a removed listener lets in-flight requests finish. @default 30000 */
  readonly drainMs: number;
  /** Bind with SO_REUSEPORT so several processes share the port (multi-process mode). */
  readonly reusePort: boolean;
  /** Serve plain HTTP/1.1 requests on plaintext listeners without Node's HTTP server (lean-connection.ts). */
  readonly leanHttp1: boolean;
}

export const DEFAULT_LIMITS: ListenerLimits = {
  maxConnections: 10_000,
  headersTimeoutMs: 60_000,
  drainMs: 30_000,
  reusePort: false,
  leanHttp1: true,
};

/**
 * One listening socket serving one Envoy Listener: plaintext HTTP/1.1, or TLS with SNI filter-chain
 * selection and ALPN (h2 or http/1.1). TLS sockets are handed to an HTTP/1.1 or an HTTP/2 server
 * object by the negotiated protocol, so both share the same request path.
 */
export class ListenerRuntime implements ListenerState {
  config: ListenerConfig;
  private chains = new Map<string, FilterChainConfig>();
  private readonly view: ConfigView;
  private readonly limits: ListenerLimits;
  private readonly httpServer: http.Server;
  private readonly h2Server: http2.Http2Server;
  private readonly socketServer: net.Server;
  private readonly h2Contexts = new WeakMap<ServerHttp2Session, ConnectionContext>();
  private pendingH2: ConnectionContext | undefined;
  private readonly h2Sessions = new Set<ServerHttp2Session>();
  private secureContexts = new Map<string, tls.SecureContext>();
  private readonly isTls: boolean;
  private readonly leanConnections = new Set<LeanConnection>();

  constructor(config: ListenerConfig, view: ConfigView, limits: ListenerLimits) {
    this.config = config;
    this.view = view;
    this.limits = limits;
    this.isTls = config.socketKey.endsWith('|tls');
    const first = config.filterChains[0] ?? config.defaultChain;
    const hcm = first?.hcm;
    const headersTimeout = hcm?.requestHeadersTimeoutMs || limits.headersTimeoutMs;
    const requestTimeout = hcm?.requestTimeoutMs ?? 0;
    this.httpServer = http.createServer({
      maxHeaderSize: hcm?.maxRequestHeadersBytes ?? 60 * 1024,
      requireHostHeader: false,
      headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
      requestTimeout,
      keepAliveTimeout: hcm?.idleTimeoutMs ?? 60_000,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    });
    this.httpServer.timeout = 0;
    this.httpServer.on('request', (req: IncomingMessage, res: ServerResponse) =>
      this.onRequest(req, res, (req.socket as WithContext)[CONTEXT], false),
    );
    this.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const ctx = (req.socket as WithContext)[CONTEXT];
      if (ctx === undefined) socket.destroy();
      else handleUpgrade(this.view, ctx, req, socket, head);
    });
    this.httpServer.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(err, socket));
    this.h2Server = http2.createServer({ settings: { maxConcurrentStreams: 128 }, maxHeaderListPairs: 512 });
    this.h2Server.on('session', (session: ServerHttp2Session) => {
      this.h2Sessions.add(session);
      session.once('close', () => this.h2Sessions.delete(session));
      if (this.pendingH2 !== undefined) this.h2Contexts.set(session, this.pendingH2);
      const idle = this.pendingH2?.chain.hcm.idleTimeoutMs ?? 0;
      if (idle > 0) session.setTimeout(idle, () => session.close());
    });
    this.h2Server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) =>
      this.onRequest(req, res, this.h2Contexts.get(req.stream.session as ServerHttp2Session), true),
    );
    if (this.isTls) {
      const server = tls.createServer({
        SNICallback: (name, cb) => {
          const chain = chainForCertificate(this.config, name);
          const ctx = chain === undefined ? undefined : this.secureContexts.get(chain.name);
          cb(ctx === undefined ? new Error(`no certificate for ${name}`) : null, ctx);
        },
        ALPNCallback: ({ servername, protocols }) => {
          const chain = chainForCertificate(this.config, servername);
          const offered = chain?.tls?.alpn ?? [];
          if (chain !== undefined && chain.hcm.codec !== 'HTTP1' && offered.includes('h2') && protocols.includes('h2'))
            return 'h2';
          return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
        },
      });
      server.on('secureConnection', (socket: tls.TLSSocket) => this.onSecureConnection(socket));
      server.on('tlsClientError', (_e, socket) => socket.destroy());
      this.socketServer = server;
    } else {
      // Half-open like Node's own HTTP server (which ends the socket itself when the client does).
      this.socketServer = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) =>
        this.onPlainConnection(socket),
      );
    }
    this.socketServer.maxConnections = this.effectiveMaxConnections();
    this.apply(config);
  }

  private effectiveMaxConnections(): number {
    const limits = [...this.chains.values()].map((c) => c.maxConnections).filter((n): n is number => n !== undefined);
    return Math.min(this.limits.maxConnections, ...limits);
  }

  chain(name: string): FilterChainConfig | undefined {
    return this.chains.get(name);
  }

  /** Installs a new configuration for the same socket: chains, certificates and limits swap in place. */
  apply(config: ListenerConfig): void {
    const all = config.defaultChain === undefined ? config.filterChains : [...config.filterChains, config.defaultChain];
    const contexts = new Map<string, tls.SecureContext>();
    if (this.isTls) {
      for (const c of all) {
        const opts = secureContextOptions(c, this.view);
        if (opts !== undefined) contexts.set(c.name, tls.createSecureContext(opts));
      }
      const fallback = chainForCertificate(config, undefined);
      const fallbackOpts = fallback === undefined ? undefined : secureContextOptions(fallback, this.view);
      if (fallbackOpts !== undefined) (this.socketServer as tls.Server).setSecureContext(fallbackOpts);
    }
    this.config = config;
    this.chains = new Map(all.map((c) => [c.name, c]));
    this.secureContexts = contexts;
    this.socketServer.maxConnections = this.effectiveMaxConnections();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socketServer.once('error', reject);
      this.socketServer.listen(
        {
          host: this.config.address,
          port: this.config.port,
          reusePort: this.limits.reusePort,
          exclusive: this.limits.reusePort,
        },
        () => {
          this.socketServer.off('error', reject);
          // The HTTP server never listens itself (sockets are handed to it), but its header and
          // request timeouts are checked by a timer that starts on 'listening'.
          this.httpServer.emit('listening');
          resolve();
        },
      );
    });
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const a = this.socketServer.address();
    return typeof a === 'object' && a !== null ? a.port : this.config.port;
  }

  private onPlainConnection(socket: net.Socket): void {
    const chain = selectChain(this.config, undefined, normalizeAddress(socket.remoteAddress));
    if (chain === undefined) {
      socket.destroy();
      return;
    }
    const ctx = new ConnectionContext(
      this,
      chain,
      'http',
      socket.localPort ?? 0,
      socket.remoteAddress,
      socket.remotePort,
    );
    (socket as WithContext)[CONTEXT] = ctx;
    if (!this.limits.leanHttp1 || chain.hcm.codec === 'HTTP2') {
      this.httpServer.emit('connection', socket);
      return;
    }
    const lean = new LeanConnection(
      socket,
      {
        request: (req, res) => this.onLeanRequest(ctx, req, res),
        handOff: (s, pending) => {
          this.leanConnections.delete(lean);
          if (pending !== undefined) s.unshift(pending);
          this.httpServer.emit('connection', s);
          // Resumed in this tick, the unread bytes reach Node's parser before anything new does.
          s.resume();
        },
      },
      {
        maxHeadBytes: chain.hcm.maxRequestHeadersBytes ?? 60 * 1024,
        keepAliveMs: chain.hcm.idleTimeoutMs ?? 60_000,
      },
    );
    this.leanConnections.add(lean);
    socket.once('close', () => this.leanConnections.delete(lean));
  }

  /** A request on the fast path: answered here, or declined (`false`) when it needs Node's client. */
  private onLeanRequest(ctx: ConnectionContext, req: LeanRequest, res: LeanResponse): boolean {
    return this.answer(ctx, req, res, false, (d) => {
      if (!leanTarget(d)) return false;
      forwardLean(ctx, d, req, res, true, false);
      return true;
    });
  }

  private onSecureConnection(socket: tls.TLSSocket): void {
    const name = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    const chain = selectChain(
      this.config,
      typeof name === 'string' ? name : undefined,
      normalizeAddress(socket.remoteAddress),
    );
    if (chain === undefined) {
      socket.destroy();
      return;
    }
    const ctx = new ConnectionContext(
      this,
      chain,
      'https',
      socket.localPort ?? 0,
      socket.remoteAddress,
      socket.remotePort,
    );
    (socket as WithContext)[CONTEXT] = ctx;
    if (socket.alpnProtocol === 'h2') {
      this.pendingH2 = ctx;
      this.h2Server.emit('connection', socket);
      this.pendingH2 = undefined;
    } else this.httpServer.emit('connection', socket);
  }

  private onRequest(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    ctx: ConnectionContext | undefined,
    isHttp2: boolean,
  ): void {
    if (ctx === undefined) {
      res.destroy();
      return;
    }
    this.answer(ctx, req, res, isHttp2, (d) => {
      forward(ctx, d, req, res, !isHttp2);
      return true;
    });
  }

  /**
   * Routes one request and answers it with a local reply, or hands the routing decision to `send`,
   * which forwards it (`false`: declined, nothing written). A bug must not take the process down:
   * it is logged and answered 500 (routing) or 502 (forwarding).
   */
  private answer(
    ctx: ConnectionContext,
    req: IncomingLike & { resume(): unknown },
    res: ReplyTarget,
    isHttp2: boolean,
    send: (d: Forward) => boolean,
  ): boolean {
    const server = ctx.chain.hcm.serverName;
    let d;
    try {
      d = decide(this.view, ctx, req, isHttp2);
    } catch (e: unknown) {
      this.view.log.error({ err: e, listener: this.config.name }, 'request handling failed');
      sendLocalReply(res, server, { status: 500 }, !isHttp2);
      return true;
    }
    if (d.kind === 'reply') {
      sendLocalReply(res, server, d.reply, !isHttp2);
      if (d.reply.close === true && !isHttp2) req.resume();
      return true;
    }
    try {
      return send(d);
    } catch (e: unknown) {
      this.view.log.error({ err: e, listener: this.config.name }, 'forwarding failed');
      sendLocalReply(res, server, { status: 502 }, !isHttp2);
      return true;
    }
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const ctx = (socket as WithContext)[CONTEXT];
    const server = ctx?.chain.hcm.serverName ?? 'awselb/2.0';
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    let status = 400;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = 408;
    else if (err.code === 'HPE_INVALID_TRANSFER_ENCODING' && !/Content-Length/i.test(err.message)) status = 501;
    writeRawReply(socket, server, status);
  }

  /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes what is left. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.socketServer.close(() => resolve()));
    // Stops the timeout checker and closes idle keep-alive connections (it was never listening).
    this.httpServer.close(() => undefined);
    for (const session of this.h2Sessions) session.close();
    for (const lean of this.leanConnections) lean.close();
    const timer = setTimeout(() => {
      this.httpServer.closeAllConnections();
      for (const lean of this.leanConnections) lean.destroy();
    }, this.limits.drainMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
}
