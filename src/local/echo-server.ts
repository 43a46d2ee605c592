import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny backend for `portico local --demo` and end-to-end tests: answers every request with JSON
 * saying which backend answered and what it received, so a curl shows where a route went.
 */
export interface EchoServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEchoServer(name: string, host = '127.0.0.1', port = 0): Promise<EchoServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        backend: name,
        method: req.method,
        url: req.url,
        host: req.headers.host,
        headers: req.headers,
        bodyBytes: Buffer.concat(chunks).length,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
      res.end(`${body}\n`);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    name,
    host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
