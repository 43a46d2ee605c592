import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { ConfigView, ConnectionContext } from './context.ts';
import { decide } from './decide.ts';
import { writeRawReply } from './local-reply.ts';

/**
 * HTTP/1.1 Upgrade (WebSocket): routed like any request, then tunnelled byte for byte over a fresh
 * upstream connection once the upstream answers 101. Any other upstream answer is relayed and the
 * connection closed. Upgraded connections are sticky by nature (one upstream for their lifetime).
 */
export function handleUpgrade(
  view: ConfigView,
  ctx: ConnectionContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const server = ctx.chain.hcm.serverName;
  socket.on('error', () => socket.destroy());
  const d = decide(view, ctx, req, false);
  if (d.kind === 'reply') {
    writeRawReply(socket, server, d.reply.status);
    return;
  }
  const ep = d.endpoint;
  const headers = { ...d.headers, connection: 'Upgrade', upgrade: req.headers.upgrade ?? 'websocket' };
  ep.outstanding++;
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      ep.outstanding--;
    }
  };
  const tls = d.cluster.config.tls;
  const options = {
    host: ep.address,
    port: ep.port,
    method: req.method,
    path: d.path,
    headers,
    agent: false,
    setHost: false,
  };
  // HTTPS targets: TLS without certificate verification, as ALB.
  const up =
    tls === undefined
      ? http.request(options)
      : https.request({
          ...options,
          rejectUnauthorized: false,
          ...(tls.sni !== undefined ? { servername: tls.sni } : {}),
        });
  const connectTimer = setTimeout(() => up.destroy(new Error('connect timeout')), d.cluster.config.connectTimeoutMs);
  up.on('socket', (s: Socket) => s.once('connect', () => clearTimeout(connectTimer)));
  up.on('upgrade', (ur, upSocket, upHead) => {
    let response = `HTTP/1.1 ${ur.statusCode ?? 101} ${ur.statusMessage ?? 'Switching Protocols'}\r\n`;
    for (let i = 0; i < ur.rawHeaders.length; i += 2)
      response += `${ur.rawHeaders[i] ?? ''}: ${ur.rawHeaders[i + 1] ?? ''}\r\n`;
    for (const c of d.setCookies) response += `Set-Cookie: ${c}\r\n`;
    socket.write(`${response}\r\n`);
    if (upHead.length > 0) socket.write(upHead);
    if (head.length > 0) upSocket.write(head);
    upSocket.on('error', () => socket.destroy());
    socket.on('close', () => {
      upSocket.destroy();
      release();
    });
    upSocket.on('close', () => {
      socket.destroy();
      release();
    });
    upSocket.pipe(socket);
    socket.pipe(upSocket);
  });
  up.on('response', (ur) => {
    clearTimeout(connectTimer);
    let response = `HTTP/1.1 ${ur.statusCode ?? 502} ${ur.statusMessage ?? ''}\r\n`;
    for (let i = 0; i < ur.rawHeaders.length; i += 2) {
      const k = (ur.rawHeaders[i] ?? '').toLowerCase();
      if (k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding' && k !== 'content-length')
        response += `${ur.rawHeaders[i] ?? ''}: ${ur.rawHeaders[i + 1] ?? ''}\r\n`;
    }
    socket.write(`${response}Connection: close\r\n\r\n`);
    ur.pipe(socket);
    ur.on('end', release);
  });
  up.on('error', () => {
    clearTimeout(connectTimer);
    release();
    writeRawReply(socket, server, 502);
  });
  up.end();
}
