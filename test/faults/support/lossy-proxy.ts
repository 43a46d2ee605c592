/**
 * An HTTP relay in front of the AWS emulator that can lose responses: the call reaches the emulator
 * and takes effect, but the client's connection is cut before the answer arrives — what a timeout or a
 * network fault after a successful write looks like to an SDK. Its retry then meets the effect of the
 * first attempt (a duplicate name, a priority in use, a permission that already exists).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  readonly url: string;
  /** Operations whose responses were lost, in order. */
  readonly lost: string[];
  close(): Promise<void>;
}

/** The operation of an AWS request: `X-Amz-Target` (JSON services) or `Action=` (query services). */
function operationOf(target: string | undefined, body: string): string {
  if (target !== undefined) return target.split('.').at(-1) ?? '';
  return new URLSearchParams(body).get('Action') ?? '';
}

/** `lose(operation, n)` decides for the n-th call (from 1) of an operation whether its answer is lost. */
export async function startLossyProxy(
  upstream: string,
  lose: (operation: string, n: number) => boolean,
): Promise<LossyProxy> {
  const target = new URL(upstream);
  const seen = new Map<string, number>();
  const lost: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const op = operationOf(req.headers['x-amz-target'] as string | undefined, body.toString('utf8'));
      const n = (seen.get(op) ?? 0) + 1;
      seen.set(op, n);
      const drop = lose(op, n);
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          const parts: Buffer[] = [];
          ur.on('data', (c: Buffer) => parts.push(c));
          ur.on('end', () => {
            if (drop) {
              lost.push(op);
              req.socket.destroy();
              return;
            }
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      up.on('error', () => req.socket.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lost,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
