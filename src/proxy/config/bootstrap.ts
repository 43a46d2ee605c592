import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ProxyConfigError, Reader } from './reader.ts';
import { readListener } from './listener.ts';
import type { ListenerConfig } from './listener.ts';
import { readCluster } from './cluster.ts';
import type { ClusterConfig } from './cluster.ts';
import { readSecret } from './secret.ts';
import type { CertificateSource } from './listener.ts';

/**
 * An Envoy v3 Bootstrap (JSON or YAML): static listeners, clusters and secrets, and optionally an
 * ADS source (`dynamic_resources.ads_config`) naming a static cluster that reaches the xDS server.
 */
export interface AdsSource {
  /** `host:port` of the xDS server. */
  readonly target: string;
  readonly nodeId: string;
  readonly nodeCluster: string;
  /** Whether listeners / clusters come over ADS (lds_config / cds_config with `ads`). */
  readonly lds: boolean;
  readonly cds: boolean;
}

export interface BootstrapConfig {
  readonly listeners: readonly ListenerConfig[];
  readonly clusters: readonly ClusterConfig[];
  readonly secrets: ReadonlyArray<{ name: string; certificate: CertificateSource }>;
  readonly ads?: AdsSource;
}

export function parseBootstrapText(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e: unknown) {
    throw new ProxyConfigError(
      file,
      `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export function readBootstrap(value: unknown, where = 'Bootstrap:'): BootstrapConfig {
  const r = new Reader(value, where);
  const statics = r.optObj('static_resources');
  const clusters = (statics?.list('clusters') ?? []).map((c) => readCluster(c.value));
  const listeners = (statics?.list('listeners') ?? []).map((l) => readListener(l.value));
  const secrets = (statics?.list('secrets') ?? []).map((s) => readSecret(s.value));
  const dyn = r.optObj('dynamic_resources');
  let ads: AdsSource | undefined;
  const adsConfig = dyn?.optObj('ads_config');
  if (dyn !== undefined && adsConfig !== undefined) {
    const api =
      adsConfig.optEnum('api_type', [
        'DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE',
        'REST',
        'GRPC',
        'DELTA_GRPC',
        'AGGREGATED_GRPC',
        'AGGREGATED_DELTA_GRPC',
      ]) ?? 'GRPC';
    if (api !== 'GRPC' && api !== 'AGGREGATED_GRPC')
      adsConfig.fail('api_type', `${api} is not supported; use GRPC (state of the world)`);
    const svc = adsConfig.list('grpc_services')[0];
    if (svc === undefined) adsConfig.fail('grpc_services', 'one gRPC service is required');
    let target: string;
    if (svc.has('envoy_grpc')) {
      const clusterName = svc.obj('envoy_grpc').str('cluster_name');
      const c = clusters.find((x) => x.name === clusterName);
      const ep = c?.endpoints?.[0];
      if (ep === undefined)
        return svc
          .obj('envoy_grpc')
          .fail('cluster_name', `no static cluster ${JSON.stringify(clusterName)} with an endpoint`);
      target = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    } else target = svc.obj('google_grpc').str('target_uri');
    const node = r.optObj('node');
    ads = {
      target,
      nodeId: node?.optStr('id') ?? 'portico-proxy',
      nodeCluster: node?.optStr('cluster') ?? 'portico',
      lds: dyn.optObj('lds_config')?.has('ads') ?? false,
      cds: dyn.optObj('cds_config')?.has('ads') ?? false,
    };
  }
  return { listeners, clusters, secrets, ...(ads !== undefined ? { ads } : {}) };
}

/** Reads and parses a bootstrap file (`.json`, `.yaml` or `.yml`). */
export function loadBootstrap(file: string): BootstrapConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw new ProxyConfigError(file, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return readBootstrap(parseBootstrapText(text, file), `${file}:`);
}
