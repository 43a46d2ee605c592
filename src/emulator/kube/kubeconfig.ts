import { stringify } from 'yaml';

/** What a kubeconfig for this server needs. */
export interface KubeconfigOptions {
  readonly server: string;
  /** PEM of the CA that signed the server certificate (TLS only). */
  readonly caPem?: string;
  /** Bearer token for the user entry, when the server checks tokens. */
  readonly token?: string;
  /** @default 'portico' */
  readonly name?: string;
}

/**
 * A kubeconfig YAML for kubectl and client-node. A plain-HTTP cluster gets
 * `insecure-skip-tls-verify: true`: client-node 1.x refuses an `http://` server without it
 * (kubectl does not care).
 */
export function renderKubeconfig(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'portico';
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caPem !== undefined) cluster['certificate-authority-data'] = Buffer.from(opts.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: opts.token === undefined ? {} : { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
