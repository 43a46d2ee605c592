import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Command } from './command.ts';
import { portFlag, UsageError } from './command.ts';
import { snapshotFromManifests } from '../k8s/manifests.ts';
import { translateAll } from '../ingress/translate.ts';
import { instanceIdOf } from '../ingress/targets.ts';
import type { ClusterSnapshot } from '../ingress/types.ts';
import { formatDiagnostic, hasErrors } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Stack } from '../model/stack.ts';
import { renderStack } from '../envoy/render.ts';
import type { EnvoyResources } from '../envoy/render.ts';
import { certificateKey } from '../envoy/render-options.ts';
import type { CertificateMaterial } from '../envoy/render-options.ts';
import { renderAdsBootstrap, renderStaticBootstrap } from '../envoy/render-bootstrap.ts';
import { readManifestFiles } from './manifest-files.ts';

/** `portico render -f <manifests>`: the Envoy v3 bootstrap the bundled proxy or a real Envoy runs. */

function tlsMaterial(snapshot: ClusterSnapshot, stacks: readonly Stack[]): Record<string, CertificateMaterial> {
  const out: Record<string, CertificateMaterial> = {};
  for (const ref of stacks.flatMap((s) => s.listeners.flatMap((l) => l.certificates))) {
    if (ref.kind !== 'secret') continue;
    const secret = snapshot.secrets.find((s) => s.metadata.namespace === ref.namespace && s.metadata.name === ref.name);
    const chain = secret?.data['tls.crt'];
    const key = secret?.data['tls.key'];
    if (chain !== undefined && key !== undefined)
      out[certificateKey(ref)] = { certificateChain: chain, privateKey: key };
  }
  return out;
}

function instanceAddresses(snapshot: ClusterSnapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const node of snapshot.nodes) {
    const id = instanceIdOf(node);
    const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address;
    if (id !== undefined && ip !== undefined) out[id] = ip;
  }
  return out;
}

function merge(parts: readonly EnvoyResources[]): EnvoyResources {
  const byName = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0;
  return {
    listeners: parts.flatMap((p) => p.listeners).sort(byName('name')),
    routes: parts.flatMap((p) => p.routes).sort(byName('name')),
    clusters: parts.flatMap((p) => p.clusters).sort(byName('name')),
    endpoints: parts.flatMap((p) => p.endpoints).sort(byName('cluster_name')),
    secrets: parts.flatMap((p) => p.secrets).sort(byName('name')),
  };
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'Print the Envoy v3 bootstrap for the Ingresses in manifests (static resources, or ADS)',
  options: {
    filename: {
      type: 'string',
      short: 'f',
      multiple: true,
      valueName: 'FILE',
      description: "Manifests (YAML/JSON, '-' = stdin); repeatable",
    },
    mode: {
      type: 'string',
      default: 'static',
      valueName: 'static|ads',
      description: 'Inline every resource, or point at an xDS server',
    },
    'xds-address': {
      type: 'string',
      default: '127.0.0.1:18000',
      valueName: 'HOST:PORT',
      description: 'The ADS server (ads mode)',
    },
    address: {
      type: 'string',
      valueName: 'IP',
      description:
        'Bind address of every listener (default: 127.0.0.1, or 127.0.1.N per load balancer when there are several)',
    },
    'port-offset': {
      type: 'string',
      default: '0',
      valueName: 'N',
      description: 'Added to each ALB listener port (80 → 80+N)',
    },
    'cluster-name': {
      type: 'string',
      default: 'portico',
      valueName: 'NAME',
      description: 'Cluster name (part of every generated AWS name)',
    },
    'node-id': { type: 'string', default: 'portico-proxy', valueName: 'ID', description: 'Envoy node id' },
    output: {
      type: 'string',
      short: 'o',
      valueName: 'FILE',
      description: 'Write the bootstrap here instead of stdout',
    },
    format: { type: 'string', default: 'json', valueName: 'json|yaml', description: 'Output format' },
  },
  details:
    'Diagnostics go to stderr; the exit status is 1 when any is an error (the bootstrap is still printed).\nTLS material comes from kubernetes.io/tls Secrets in the manifests; ACM certificates cannot be rendered locally.\nSee docs/envoy-mapping.md for what each ALB construct becomes.',
  run(values) {
    const files = (values['filename'] as string[] | undefined) ?? [];
    if (files.length === 0) throw new UsageError('portico render: -f/--filename FILE is required');
    const mode = String(values['mode']);
    if (mode !== 'static' && mode !== 'ads')
      throw new UsageError(`portico render: --mode must be static or ads, got '${mode}'`);
    const format = String(values['format']);
    if (format !== 'json' && format !== 'yaml')
      throw new UsageError(`portico render: --format must be json or yaml, got '${format}'`);
    const offsetText = String(values['port-offset']);
    if (!/^\d+$/.test(offsetText) || Number(offsetText) > 65535) {
      throw new UsageError(`portico render: --port-offset must be a number 0-65535, got '${offsetText}'`);
    }
    const xds = String(values['xds-address']);
    const colon = xds.lastIndexOf(':');
    if (colon <= 0) throw new UsageError(`portico render: --xds-address must be HOST:PORT, got '${xds}'`);
    const xdsPort = portFlag('render', 'xds-address', xds.slice(colon + 1));

    const { snapshot, diagnostics: readProblems } = snapshotFromManifests(
      readManifestFiles('render', files),
      files.join(','),
    );
    const translated = translateAll(snapshot, { certificates: [] }, { clusterName: String(values['cluster-name']) });
    const diagnostics: Diagnostic[] = [...readProblems, ...translated.diagnostics];
    const stacks = translated.results.flatMap((r) => {
      diagnostics.push(...r.diagnostics);
      return r.stack === undefined ? [] : [r.stack];
    });
    const certificates = tlsMaterial(snapshot, stacks);
    const instances = instanceAddresses(snapshot);
    const rendered = stacks.map((stack, i) => {
      const address =
        typeof values['address'] === 'string'
          ? values['address']
          : stacks.length === 1
            ? '127.0.0.1'
            : `127.0.1.${i + 1}`;
      const r = renderStack(stack, {
        mode,
        address,
        portOffset: Number(offsetText),
        certificates,
        instanceAddresses: instances,
      });
      diagnostics.push(...r.diagnostics);
      return r.resources;
    });
    const node = { id: String(values['node-id']) };
    const bootstrap =
      mode === 'static'
        ? renderStaticBootstrap(merge(rendered), node)
        : renderAdsBootstrap({ address: xds.slice(0, colon), port: xdsPort }, node);
    const text = format === 'json' ? `${JSON.stringify(bootstrap, null, 2)}\n` : stringify(bootstrap);
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    if (stacks.length === 0) console.error('portico render: no IngressGroup produced a load balancer');
    if (typeof values['output'] === 'string') writeFileSync(values['output'], text);
    else process.stdout.write(text);
    return Promise.resolve(hasErrors(diagnostics) ? 1 : 0);
  },
};
