import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { RemoteCallError } from '../errors/base.ts';

/**
 * Plain JSON requests to the Kubernetes API with client-node's KubeConfig for the server address,
 * TLS and credentials. We do not use client-node's generated (or generic object) API for reads: it
 * deserialises responses into model classes, turning timestamps into `Date` objects that no longer
 * match the raw JSON a watch delivers, and it costs an extra copy of every object of a large list.
 */

export type PatchType = 'merge' | 'json';

const CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

/** A failed Kubernetes API call: `statusCode` is the HTTP status (0 for a network failure). */
export class KubeApiError extends RemoteCallError {
  readonly statusCode: number;
  /** The Status `reason`, e.g. `Conflict`, `NotFound`; empty when the server sent none. */
  readonly reason: string;
  constructor(operation: string, statusCode: number, reason: string, message: string, cause?: unknown) {
    super(operation, statusCode === 0 ? 'KubeUnavailable' : `Kube${reason || statusCode}`, message, {
      // Conflicts resolve by re-reading; throttling and server errors by waiting.
      retryable: statusCode === 0 || statusCode === 409 || statusCode === 429 || statusCode >= 500,
      cause,
    });
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.statusCode === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof KubeApiError && e.statusCode === 409;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly patch?: PatchType;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** A minimal JSON client for the Kubernetes API. */
export class KubeApi {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  /** undefined until the first request; false when client-node's per-call agent must be used (proxies). */
  #agent: http.Agent | false | undefined;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new KubeApiError('kubeconfig', 0, '', 'the kubeconfig has no current cluster');
    this.#kc = kc;
    this.#server = new URL(cluster.server);
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /**
   * client-node builds a new Agent, without keep-alive, for every call: a connection per request.
   * Ours keeps connections (TLS material from the kubeconfig; credentials stay per-request headers,
   * so token refresh still works). Behind a proxy, client-node's proxy agent is used as it is.
   */
  #keepAliveAgent(opts: https.RequestOptions): http.Agent | false {
    if (this.#kc.getCurrentCluster()?.proxyUrl) return false;
    if (this.#server.protocol !== 'https:') return new http.Agent({ keepAlive: true });
    return new https.Agent({
      keepAlive: true,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
      ...(opts.key !== undefined ? { key: opts.key } : {}),
      ...(opts.pfx !== undefined ? { pfx: opts.pfx } : {}),
      ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}),
      ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    if (this.#agent) this.#agent.destroy();
    this.#agent = undefined;
  }

  get<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  create<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  replace<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  patch<T = unknown>(path: string, body: unknown, patch: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, { body, patch });
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.#server);
    // Keep a path prefix on the server URL (e.g. behind a proxy).
    if (this.#server.pathname !== '/' && !path.startsWith(this.#server.pathname)) {
      url.pathname = `${this.#server.pathname.replace(/\/$/, '')}${path}`;
    }
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts: https.RequestOptions = {};
    await this.#kc.applyToHTTPSOptions(opts);
    this.#agent ??= this.#keepAliveAgent(opts);
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['Content-Type'] = options.patch === undefined ? 'application/json' : CONTENT_TYPE[options.patch];
    }
    const operation = `${method} ${url.pathname}`;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(
        url,
        { method, headers, agent: this.#agent ?? opts.agent, timeout: options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new KubeApiError(operation, 0, '', String(e), e)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (status >= 200 && status < 300) {
              resolve(parsed as T);
              return;
            }
            const s = (parsed ?? {}) as { reason?: unknown; message?: unknown };
            const reason = typeof s.reason === 'string' ? s.reason : '';
            const message = typeof s.message === 'string' ? s.message : `HTTP ${status}`;
            reject(new KubeApiError(operation, status, reason, message));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', (e) => reject(new KubeApiError(operation, 0, '', e.message, e)));
      req.end(payload);
    });
  }
}

/** The collection path of a kind: `/api/v1/namespaces/ns/services`, `/apis/g/v/ingressclasses`. */
export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}
