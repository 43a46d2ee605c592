import type { JsonObject } from './json.ts';
import { arrayAt, isObject, objectAt } from './json.ts';

/**
 * Hands out Service cluster IPs (10.96.0.0/12, from .1 up, as a fresh cluster does) and node ports
 * (30000–32767), never twice, so that controllers that read them see real-looking values.
 */
export class ServiceAllocator {
  private nextIp = 1;
  private nextPort = 30000;
  private readonly usedPorts = new Set<number>();
  private readonly usedIps = new Set<string>();

  clusterIp(): string {
    for (;;) {
      const n = this.nextIp++;
      const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  reserveIp(ip: string): void {
    this.usedIps.add(ip);
  }

  nodePort(): number {
    while (this.usedPorts.has(this.nextPort)) this.nextPort++;
    const p = this.nextPort++;
    this.usedPorts.add(p);
    return p;
  }

  reservePort(p: number): void {
    this.usedPorts.add(p);
  }
}

/** Service defaults: type, clusterIP(s), IP family, port protocol and targetPort, node ports. */
export function defaultService(alloc: ServiceAllocator, obj: JsonObject, old: JsonObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  obj['spec'] = spec;
  spec['type'] ??= 'ClusterIP';
  const oldSpec = old === undefined ? {} : objectAt(old, 'spec');
  if (spec['type'] !== 'ExternalName') {
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      spec['clusterIP'] = typeof oldSpec['clusterIP'] === 'string' ? oldSpec['clusterIP'] : alloc.clusterIp();
    } else if (typeof spec['clusterIP'] === 'string' && spec['clusterIP'] !== 'None')
      alloc.reserveIp(spec['clusterIP']);
    spec['clusterIPs'] ??= [spec['clusterIP']];
    spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    spec['internalTrafficPolicy'] ??= 'Cluster';
  }
  spec['sessionAffinity'] ??= 'None';
  const wantsNodePort = spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer';
  if (wantsNodePort) spec['externalTrafficPolicy'] ??= 'Cluster';
  const oldPorts = arrayAt(oldSpec, 'ports');
  for (const p of arrayAt(spec, 'ports')) {
    if (!isObject(p)) continue;
    p['protocol'] ??= 'TCP';
    p['targetPort'] ??= p['port'];
    if (!wantsNodePort) continue;
    if (typeof p['nodePort'] === 'number' && p['nodePort'] !== 0) {
      alloc.reservePort(p['nodePort']);
      continue;
    }
    // Keep the node port an update did not mention, as the real server does.
    const before = oldPorts.find((o) => isObject(o) && o['port'] === p['port'] && o['protocol'] === p['protocol']);
    p['nodePort'] = isObject(before) && typeof before['nodePort'] === 'number' ? before['nodePort'] : alloc.nodePort();
  }
}

/** Secret defaults: type Opaque, and `stringData` folded into base64 `data` (it is write-only). */
export function defaultSecret(obj: JsonObject): void {
  obj['type'] ??= 'Opaque';
  const stringData = obj['stringData'];
  if (isObject(stringData)) {
    const data = objectAt(obj, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj['data'] = data;
  }
  delete obj['stringData'];
}

/** Namespace defaults: the `kubernetes` finalizer and phase Active; the name label of 1.22+. */
export function defaultNamespace(obj: JsonObject, old: JsonObject | undefined): void {
  const spec = objectAt(obj, 'spec');
  spec['finalizers'] ??= ['kubernetes'];
  obj['spec'] = spec;
  if (old === undefined) obj['status'] = { phase: 'Active' };
  const meta = objectAt(obj, 'metadata');
  const labels = objectAt(meta, 'labels');
  if (typeof meta['name'] === 'string') labels['kubernetes.io/metadata.name'] = meta['name'];
  meta['labels'] = labels;
}
