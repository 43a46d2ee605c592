import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Responses the proxy generates itself, shaped like ALB's: `Server: awselb/2.0` (or the HCM's
 * `server_name`), a small HTML page for errors, and `Connection: close` when the connection cannot
 * be trusted any more (parse errors, timeouts).
 */

export const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  460: 'Client Closed Request',
  463: 'Bad Request',
  464: 'Bad Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

const pages = new Map<number, Buffer>();

/** ALB's error page for a status (cached: the bytes never change). */
export function errorPage(status: number): Buffer {
  let page = pages.get(status);
  if (page === undefined) {
    const title = `${status} ${REASONS[status] ?? 'Error'}`;
    page = Buffer.from(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    );
    pages.set(status, page);
  }
  return page;
}

/** The subset of ServerResponse / Http2ServerResponse the proxy writes responses through. */
export interface ReplyTarget {
  readonly headersSent: boolean;
  readonly writable: boolean;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(body: Buffer): unknown;
  addTrailers(trailers: OutgoingHttpHeaders): void;
  destroy(error?: Error): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
}

export interface LocalReply {
  readonly status: number;
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly close?: boolean;
}

export function sendLocalReply(res: ReplyTarget, server: string, reply: LocalReply, isHttp1: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = reply.body ?? (reply.status >= 400 ? errorPage(reply.status) : Buffer.alloc(0));
  const headers: Record<string, string | string[]> = {
    server,
    'content-length': String(body.length),
    ...(body.length > 0 || reply.status >= 400 ? { 'content-type': reply.contentType ?? 'text/html' } : {}),
    ...reply.headers,
  };
  if (reply.close === true && isHttp1) headers['connection'] = 'close';
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** Writes a whole HTTP/1.1 reply straight to a socket (parse errors, refused upgrades) and closes it. */
export function writeRawReply(socket: Socket | Duplex, server: string, status: number): void {
  if (socket.destroyed) return;
  const body = errorPage(status);
  const head =
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nServer: ${server}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Content-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
