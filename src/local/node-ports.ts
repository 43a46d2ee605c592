import type { NodePortService } from './kube-proxy.ts';

/**
 * Which NodePorts the kube-proxy stand-in serves, from Services and EndpointSlices as plain
 * Kubernetes JSON: every NodePort or LoadBalancer Service port with a nodePort, forwarding to the
 * ready endpoints of the Service's slices on the port that matches the Service port's targetPort
 * (by name or number), as kube-proxy does.
 */

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

interface SlicePort {
  readonly name: string;
  readonly port: number;
}

interface Slice {
  readonly ports: readonly SlicePort[];
  readonly addresses: readonly string[];
}

function slicesByService(slices: readonly unknown[]): Map<string, Slice[]> {
  const out = new Map<string, Slice[]>();
  for (const raw of slices) {
    const s = obj(raw);
    const meta = obj(s['metadata']);
    const service = str(obj(meta['labels'])['kubernetes.io/service-name']);
    const namespace = str(meta['namespace']);
    if (service === undefined || namespace === undefined) continue;
    const ports = arr(s['ports']).flatMap((p): SlicePort[] => {
      const port = num(obj(p)['port']);
      return port === undefined ? [] : [{ name: str(obj(p)['name']) ?? '', port }];
    });
    const addresses = arr(s['endpoints']).flatMap((e) => {
      const ep = obj(e);
      // Ready unless said otherwise, as the EndpointSlice API defines.
      if (obj(ep['conditions'])['ready'] === false) return [];
      return arr(ep['addresses']).flatMap((a) => (typeof a === 'string' ? [a] : []));
    });
    const key = `${namespace}/${service}`;
    out.set(key, [...(out.get(key) ?? []), { ports, addresses }]);
  }
  return out;
}

export function nodePortServices(services: readonly unknown[], slices: readonly unknown[]): NodePortService[] {
  const byService = slicesByService(slices);
  const out: NodePortService[] = [];
  for (const raw of services) {
    const svc = obj(raw);
    const meta = obj(svc['metadata']);
    const spec = obj(svc['spec']);
    const type = str(spec['type']);
    if (type !== 'NodePort' && type !== 'LoadBalancer') continue;
    const key = `${str(meta['namespace']) ?? ''}/${str(meta['name']) ?? ''}`;
    for (const p of arr(spec['ports'])) {
      const port = obj(p);
      const nodePort = num(port['nodePort']);
      if (nodePort === undefined) continue;
      const target = port['targetPort'] ?? port['port'];
      const endpoints = (byService.get(key) ?? []).flatMap((slice) => {
        const match =
          typeof target === 'string'
            ? slice.ports.find((sp) => sp.name === target)
            : (slice.ports.find((sp) => sp.name === (str(port['name']) ?? '')) ?? slice.ports[0]);
        const targetPort = typeof target === 'number' && match === undefined ? target : match?.port;
        return targetPort === undefined ? [] : slice.addresses.map((ip) => ({ ip, port: targetPort }));
      });
      out.push({ id: `${key}:${num(port['port']) ?? nodePort}`, nodePort, endpoints });
    }
  }
  return out.sort((a, b) => a.nodePort - b.nodePort);
}
