import net from 'node:net';
import type { Logger } from '../log.ts';

/**
 * A kube-proxy stand-in for `portico local`: serves each NodePort Service on the node address by
 * forwarding TCP connections to the Service's ready endpoints, round robin, skipping endpoints that
 * refuse the connection. There is no kubelet, so endpoints come from EndpointSlices.
 */

export interface NodePortService {
  /** `namespace/name:port`, for logs. */
  readonly id: string;
  readonly nodePort: number;
  readonly endpoints: ReadonlyArray<{ readonly ip: string; readonly port: number }>;
}

interface Listener {
  readonly server: net.Server;
  service: NodePortService;
  next: number;
}

export class KubeProxy {
  readonly #address: string;
  readonly #log: Logger;
  readonly #listeners = new Map<number, Listener>();
  readonly #sockets = new Set<net.Socket>();

  constructor(options: { readonly nodeAddress: string; readonly log: Logger }) {
    this.#address = options.nodeAddress;
    this.#log = options.log;
  }

  /** Ports currently served. */
  get ports(): number[] {
    return [...this.#listeners.keys()].sort((a, b) => a - b);
  }

  /** Makes the served set equal `services`: opens new NodePorts, closes vanished ones, updates endpoints. */
  async update(services: readonly NodePortService[]): Promise<void> {
    const wanted = new Map(services.map((s) => [s.nodePort, s]));
    for (const [port, l] of this.#listeners) {
      if (!wanted.has(port)) {
        this.#listeners.delete(port);
        l.server.close();
      }
    }
    const opening: Array<Promise<void>> = [];
    for (const [port, service] of wanted) {
      const existing = this.#listeners.get(port);
      if (existing !== undefined) existing.service = service;
      else opening.push(this.#open(service));
    }
    await Promise.all(opening);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(
      [...this.#listeners.values()].map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    );
    this.#listeners.clear();
  }

  #open(service: NodePortService): Promise<void> {
    const server = net.createServer((client) => this.#forward(entry, client));
    const entry: Listener = { server, service, next: 0 };
    this.#listeners.set(service.nodePort, entry);
    return new Promise((resolve) => {
      server.once('error', (e: Error) => {
        // A busy port is reported and skipped: one Service must not stop the others.
        this.#log.error({ service: service.id, nodePort: service.nodePort, err: e }, 'cannot serve NodePort');
        this.#listeners.delete(service.nodePort);
        resolve();
      });
      server.listen(service.nodePort, this.#address, () => resolve());
    });
  }

  #forward(entry: Listener, client: net.Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.pause();
    const endpoints = entry.service.endpoints;
    if (endpoints.length === 0) {
      client.destroy();
      return;
    }
    const start = entry.next++ % endpoints.length;
    const attempt = (i: number): void => {
      if (i >= endpoints.length || client.destroyed) {
        client.destroy();
        return;
      }
      const ep = endpoints[(start + i) % endpoints.length];
      if (ep === undefined) {
        client.destroy();
        return;
      }
      const upstream = net.connect(ep.port, ep.ip);
      upstream.once('connect', () => {
        this.#sockets.add(upstream);
        upstream.on('close', () => this.#sockets.delete(upstream));
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.once('error', () => attempt(i + 1));
    };
    attempt(0);
  }
}
